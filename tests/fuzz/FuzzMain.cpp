// cellforge-fuzz: seeded, reproducible mutation fuzzing of every reader CellForge has.
//
//   cellforge-fuzz [--target NAME ...] [--inputs N] [--seed S] [--timeout-s T]
//                  [--work DIR] [--findings DIR] [--report FILE] [--only INDEX] [--list]
//
// Each input runs in a child process (a crash or a hang ends the child, not the run):
// the parent reads which input the child is on through a pipe, and when the child dies
// it records the input as a crash (a signal) or a hang (the per-input alarm), writes the
// input to --findings, and starts a new child at the next input. Under
// AddressSanitizer the child's exit status also reports leaks. Input i of seed s is
// always the same bytes, so `--target T --seed s --only i` reproduces a finding in one
// process (for a debugger).
//
// Every refusal must be an InputError whose message names the file: a refusal that does
// not, any other exception (std::bad_alloc from a size a header claims included), a
// crash, a hang or a leak is a finding, and the exit status is 1 if there is any.
#include "core/base/Errors.h"
#include "tests/fuzz/FuzzTargets.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using namespace cellforge;
using namespace cellforge::fuzz;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

enum Outcome : std::uint8_t { Accepted, Refused, RefusedUnnamed, OtherException };

struct Options {
    std::vector<std::string> targets;
    std::uint64_t inputs = 1000;
    std::uint64_t seed = 1;
    unsigned timeoutSeconds = 10;
    std::string work = (fs::temp_directory_path() / "cellforge-fuzz").string();
    std::string findings;
    std::string report;
    long long only = -1;
    bool list = false;
};

struct Finding {
    std::string what;  // "crash (signal 11)", "hang", "unnamed refusal", "exception", "leak"
    std::uint64_t index = 0;
    std::string detail;
};

struct TargetResult {
    std::string name;
    std::uint64_t inputs = 0, accepted = 0, refused = 0, crashes = 0, hangs = 0, unnamed = 0, other = 0, leaks = 0;
    double seconds = 0;
    std::vector<Finding> findings;
    bool clean() const { return crashes + hangs + unnamed + other + leaks == 0; }
};

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "cellforge-fuzz: " << why << "\n(see the comment at the top of tests/fuzz/FuzzMain.cpp)\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    auto value = [&](int& i) -> std::string {
        if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
        return argv[++i];
    };
    auto number = [&](int& i) -> std::uint64_t {
        const std::string v = value(i);
        try {
            std::size_t used = 0;
            const unsigned long long n = std::stoull(v, &used);
            if (used != v.size()) throw std::invalid_argument(v);
            return n;
        } catch (const std::exception&) {
            usage(std::string(argv[i - 1]) + ": '" + v + "' is not a whole number");
        }
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--target")
            o.targets.push_back(value(i));
        else if (a == "--inputs")
            o.inputs = number(i);
        else if (a == "--seed")
            o.seed = number(i);
        else if (a == "--timeout-s")
            o.timeoutSeconds = unsigned(number(i));
        else if (a == "--work")
            o.work = value(i);
        else if (a == "--findings")
            o.findings = value(i);
        else if (a == "--report")
            o.report = value(i);
        else if (a == "--only")
            o.only = (long long)number(i);
        else if (a == "--list")
            o.list = true;
        else
            usage("unknown argument '" + a + "'");
    }
    return o;
}

bool writeAll(int fd, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w <= 0) return false;
        p += w;
        n -= std::size_t(w);
    }
    return true;
}

bool readAll(int fd, void* data, std::size_t n) {
    char* p = static_cast<char*>(data);
    while (n > 0) {
        const ssize_t r = ::read(fd, p, n);
        if (r <= 0) return false;
        p += r;
        n -= std::size_t(r);
    }
    return true;
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

// One input through the reader, in this process.
Outcome runOne(const FuzzTarget& target, const std::string& path, std::string& message) {
    try {
        target.read(path);
        return Accepted;
    } catch (const InputError& e) {
        message = e.what();
        return message.find(fs::path(path).filename().string()) != std::string::npos ? Refused : RefusedUnnamed;
    } catch (const std::exception& e) {
        message = std::string(typeid(e).name()) + ": " + e.what();
        return OtherException;
    }
}

// The seed files, written by a child process so that this one stays single-threaded
// (libraries start thread pools; a process that forks must not have any).
std::vector<std::string> makeSeeds(const FuzzTarget& target, const std::string& folder) {
    fs::remove_all(folder);
    fs::create_directories(folder);
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        try {
            target.writeSeeds(folder);
            std::exit(0);
        } catch (const std::exception& e) {
            std::cerr << "cellforge-fuzz: " << target.name << ": cannot write the seed files: " << e.what() << "\n";
            std::exit(1);
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::vector<std::string> seeds;
    for (const auto& e : fs::directory_iterator(folder)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        if (!ss.str().empty()) seeds.push_back(ss.str());
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || seeds.empty()) {
        std::cerr << "cellforge-fuzz: " << target.name << ": no seed files\n";
        std::exit(2);
    }
    return seeds;
}

// The child: inputs from `first` on; before each, its index goes to the pipe, after it
// the outcome (and the message of a finding).
void limitMemory() {
    if (kAddressSanitizer) return;  // its shadow memory needs a large address space
    // A header that claims a huge size must be refused, not allocated: 4 GiB at most.
    rlimit limit{std::uint64_t(4) << 30, std::uint64_t(4) << 30};
    ::setrlimit(RLIMIT_AS, &limit);
}

[[noreturn]] void childLoop(const FuzzTarget& target, const std::vector<std::string>& seeds, const Options& o,
                            std::uint64_t first, const std::string& path, int fd) {
    limitMemory();
    for (std::uint64_t i = first; i < o.inputs; ++i) {
        writeFile(path, mutateInput(seeds, target.mutation, o.seed, i));
        if (!writeAll(fd, &i, sizeof i)) std::_Exit(3);
        std::string message;
        ::alarm(o.timeoutSeconds);
        const Outcome outcome = runOne(target, path, message);
        ::alarm(0);
        if (outcome == Accepted || outcome == Refused) message.clear();
        message.resize(std::min<std::size_t>(message.size(), 400));
        const std::uint8_t code = outcome;
        const std::uint16_t length = std::uint16_t(message.size());
        if (!writeAll(fd, &code, 1) || !writeAll(fd, &length, 2) || !writeAll(fd, message.data(), length))
            std::_Exit(3);
    }
    ::close(fd);
    std::exit(0);  // runs LeakSanitizer's check under ASan
}

void saveFinding(const Options& o, const FuzzTarget& target, const std::vector<std::string>& seeds,
                 std::uint64_t index) {
    if (o.findings.empty()) return;
    fs::create_directories(o.findings);
    writeFile((fs::path(o.findings) /
               (target.name + "-seed" + std::to_string(o.seed) + "-input" + std::to_string(index) + target.extension))
                  .string(),
              mutateInput(seeds, target.mutation, o.seed, index));
}

TargetResult fuzzTarget(const FuzzTarget& target, const Options& o) {
    TargetResult r;
    r.name = target.name;
    const std::string folder = (fs::path(o.work) / target.name).string();
    const std::vector<std::string> seeds = makeSeeds(target, folder + "/seeds");
    const std::string path = folder + "/input" + target.extension;
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t next = 0;
    while (next < o.inputs) {
        int fds[2];
        if (::pipe(fds) != 0) usage("cannot make a pipe");
        std::fflush(stdout);
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(fds[0]);
            childLoop(target, seeds, o, next, path, fds[1]);
        }
        ::close(fds[1]);
        bool inInput = false;
        std::uint64_t current = next;
        for (;;) {
            std::uint64_t index = 0;
            if (!readAll(fds[0], &index, sizeof index)) break;
            current = index;
            inInput = true;
            std::uint8_t code = 0;
            std::uint16_t length = 0;
            if (!readAll(fds[0], &code, 1) || !readAll(fds[0], &length, 2)) break;
            std::string message(length, '\0');
            if (length && !readAll(fds[0], message.data(), length)) break;
            inInput = false;
            ++r.inputs;
            switch (code) {
                case Accepted:
                    ++r.accepted;
                    break;
                case Refused:
                    ++r.refused;
                    break;
                case RefusedUnnamed:
                    ++r.unnamed;
                    r.findings.push_back({"refusal without the file's name", index, message});
                    saveFinding(o, target, seeds, index);
                    break;
                default:
                    ++r.other;
                    r.findings.push_back({"exception other than InputError", index, message});
                    saveFinding(o, target, seeds, index);
                    break;
            }
            next = index + 1;
        }
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (inInput) {  // died on input `current`
            ++r.inputs;
            const bool hang = WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM;
            const std::string what = hang                  ? "hang (over " + std::to_string(o.timeoutSeconds) + " s)"
                                     : WIFSIGNALED(status) ? "crash (signal " + std::to_string(WTERMSIG(status)) + ")"
                                                           : "crash (exit " + std::to_string(WEXITSTATUS(status)) + ")";
            (hang ? r.hangs : r.crashes)++;
            r.findings.push_back({what, current, ""});
            saveFinding(o, target, seeds, current);
            next = current + 1;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            // Every input finished, then the exit failed: LeakSanitizer's report.
            ++r.leaks;
            r.findings.push_back({"leak or error at exit (status " + std::to_string(WEXITSTATUS(status)) + ")", current,
                                  "inputs " + std::to_string(current) + " and before"});
        }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

std::string jsonEscape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '"' || c == '\\')
            out += '\\', out += char(c);
        else if (c < 0x20 || c >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else
            out += char(c);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    std::vector<FuzzTarget> targets = allTargets();
    if (o.list) {
        for (const FuzzTarget& t : targets) std::cout << t.name << "\n";
        return 0;
    }
    if (!o.targets.empty()) {
        std::vector<FuzzTarget> chosen;
        for (const std::string& name : o.targets) {
            auto it = std::find_if(targets.begin(), targets.end(), [&](const FuzzTarget& t) { return t.name == name; });
            if (it == targets.end()) usage("no target '" + name + "' (--list shows them)");
            chosen.push_back(*it);
        }
        targets = chosen;
    }

    if (o.only >= 0) {  // reproduce one input here, without a child
        if (targets.size() != 1) usage("--only needs exactly one --target");
        const FuzzTarget& t = targets.front();
        const std::string folder = (fs::path(o.work) / t.name).string();
        const std::vector<std::string> seeds = makeSeeds(t, folder + "/seeds");
        const std::string path = folder + "/input" + t.extension;
        writeFile(path, mutateInput(seeds, t.mutation, o.seed, std::uint64_t(o.only)));
        limitMemory();
        std::string message;
        const Outcome outcome = runOne(t, path, message);
        const char* names[] = {"accepted", "refused", "refused without the file's name", "other exception"};
        std::cout << path << ": " << names[outcome] << (message.empty() ? "" : ": " + message) << "\n";
        return outcome == Accepted || outcome == Refused ? 0 : 1;
    }

    std::vector<TargetResult> results;
    bool clean = true;
    std::printf("%-12s %8s %8s %8s %7s %6s %8s %6s %6s %9s\n", "target", "inputs", "accepted", "refused", "crashes",
                "hangs", "unnamed", "other", "leaks", "inputs/s");
    for (const FuzzTarget& t : targets) {
        TargetResult r = fuzzTarget(t, o);
        std::printf("%-12s %8llu %8llu %8llu %7llu %6llu %8llu %6llu %6llu %9.0f\n", r.name.c_str(),
                    (unsigned long long)r.inputs, (unsigned long long)r.accepted, (unsigned long long)r.refused,
                    (unsigned long long)r.crashes, (unsigned long long)r.hangs, (unsigned long long)r.unnamed,
                    (unsigned long long)r.other, (unsigned long long)r.leaks, r.inputs / std::max(r.seconds, 1e-9));
        std::size_t shown = 0;
        for (const Finding& f : r.findings) {
            if (shown++ == 5) {
                std::printf("    ... %zu more\n", r.findings.size() - 5);
                break;
            }
            std::printf("    input %llu: %s%s%s\n      reproduce: cellforge-fuzz --target %s --seed %llu --only %llu\n",
                        (unsigned long long)f.index, f.what.c_str(), f.detail.empty() ? "" : ": ", f.detail.c_str(),
                        r.name.c_str(), (unsigned long long)o.seed, (unsigned long long)f.index);
        }
        std::fflush(stdout);
        clean = clean && r.clean();
        results.push_back(std::move(r));
    }
    if (!o.report.empty()) {
        std::ofstream out(o.report);
        out << "{\"seed\": " << o.seed << ", \"address_sanitizer\": " << (kAddressSanitizer ? "true" : "false")
            << ", \"targets\": [\n";
        for (std::size_t i = 0; i < results.size(); ++i) {
            const TargetResult& r = results[i];
            out << "  {\"target\": \"" << r.name << "\", \"inputs\": " << r.inputs << ", \"accepted\": " << r.accepted
                << ", \"refused\": " << r.refused << ", \"crashes\": " << r.crashes << ", \"hangs\": " << r.hangs
                << ", \"unnamed_refusals\": " << r.unnamed << ", \"other_exceptions\": " << r.other
                << ", \"leaks\": " << r.leaks << ", \"seconds\": " << r.seconds << ", \"findings\": [";
            for (std::size_t k = 0; k < r.findings.size(); ++k)
                out << (k ? ", " : "") << "{\"input\": " << r.findings[k].index << ", \"what\": \""
                    << jsonEscape(r.findings[k].what) << "\", \"detail\": \"" << jsonEscape(r.findings[k].detail)
                    << "\"}";
            out << "]}" << (i + 1 < results.size() ? "," : "") << "\n";
        }
        out << "]}\n";
    }
    return clean ? 0 : 1;
}
