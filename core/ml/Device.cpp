#include "core/ml/Device.h"

#include "core/base/Errors.h"

#include <torch/cuda.h>

namespace cellforge::ml {

torch::Device resolveDevice(const std::string& name, const RunControl& control) {
    if (name.empty() || name == "cpu") return torch::Device(torch::kCPU);
    if (name == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    if (name.rfind("cuda", 0) == 0) {
        int index = 0;
        if (name.size() > 4) {
            if (name[4] != ':') throw InputError("device '" + name + "' is not one of cpu, cuda, cuda:N");
            try {
                index = std::stoi(name.substr(5));
            } catch (const std::exception&) {
                throw InputError("device '" + name + "' is not one of cpu, cuda, cuda:N");
            }
        }
        if (torch::cuda::is_available() && index >= 0 && index < int(torch::cuda::device_count()))
            return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
        control.note("device '" + name + "' is not available in this build or machine; running on the CPU");
        return torch::Device(torch::kCPU);
    }
    throw InputError("device '" + name + "' is not one of cpu, cuda, cuda:N, auto");
}

}  // namespace cellforge::ml
