// cellforge-cli: runs CellForge's stages and pipelines without a display.
#include "CliCommands.h"

#include "core/base/Errors.h"

#include <QCoreApplication>

#include <iostream>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("cellforge-cli");
    QCoreApplication::setApplicationVersion(CELLFORGE_VERSION);
    std::vector<std::string> args(argv + 1, argv + argc);
    using namespace cellforge::cli;
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << usage();
        return args.empty() ? kBadInput : kOk;
    }
    const std::string command = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
        if (command == "--version" || command == "version") {
            std::cout << "cellforge-cli " << CELLFORGE_VERSION << " (plugin API " << CELLFORGE_PLUGIN_API_VERSION
                      << ")\n";
            return kOk;
        }
        if (command == "plugins") return commandPlugins(rest);
        if (command == "info") return commandInfo(rest);
        if (command == "convert") return commandConvert(rest);
        if (command == "run") return commandRun(rest);
        std::cerr << "cellforge-cli: unknown command '" << command << "'\n\n" << usage();
        return kBadInput;
    } catch (const cellforge::InputError& e) {
        std::cerr << "cellforge-cli: " << e.what() << "\n";
        return kBadInput;
    } catch (const cellforge::CancelledError&) {
        std::cerr << "cellforge-cli: cancelled\n";
        return kCancelled;
    } catch (const std::bad_alloc&) {
        std::cerr << "cellforge-cli: out of memory\n";
        return kStageFailed;
    } catch (const std::exception& e) {
        std::cerr << "cellforge-cli: " << e.what() << "\n";
        return kStageFailed;
    }
}
