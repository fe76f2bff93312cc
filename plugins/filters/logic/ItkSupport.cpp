#include "plugins/filters/logic/ItkSupport.h"

#include <itkCommand.h>
#include <itkImportImageFilter.h>
#include <itkProcessObject.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/base/Errors.h"

namespace cellforge::filters {

namespace {

// While alive, polls the control's cancel flag every few milliseconds and raises the
// filter's abort flag: ITK checks that flag inside its threaded loops, but a
// ProgressEvent observer only runs when the filter reports on the updating thread.
class CancelWatcher {
public:
    CancelWatcher(itk::ProcessObject* filter, const RunControl& control)
        : thread_([this, filter, &control] {
              std::unique_lock<std::mutex> lock(mutex_);
              // Raised again on every poll: ITK clears the flag when an update starts, so
              // a cancel seen just before that would otherwise be lost.
              while (!done_) {
                  if (control.isCancelled()) filter->AbortGenerateDataOn();
                  wake_.wait_for(lock, std::chrono::milliseconds(10));
              }
          }) {}
    ~CancelWatcher() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            done_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    std::thread thread_;
};

}  // namespace

void runItkFilter(itk::ProcessObject* filter, const RunControl& control) {
    control.throwIfCancelled();
    filter->SetNumberOfWorkUnits(itk::ThreadIdType(control.threadCount()));

    auto observer = itk::CStyleCommand::New();
    struct Link {
        itk::ProcessObject* filter;
        const RunControl* control;
    } link{filter, &control};
    observer->SetClientData(&link);
    observer->SetCallback([](itk::Object*, const itk::EventObject&, void* data) {
        auto* l = static_cast<Link*>(data);
        l->control->report(double(l->filter->GetProgress()));
        if (l->control->isCancelled()) l->filter->AbortGenerateDataOn();
    });
    // Removed on every way out: the observer points at this frame's `link`.
    struct ObserverGuard {
        itk::ProcessObject* filter;
        unsigned long tag;
        ~ObserverGuard() { filter->RemoveObserver(tag); }
    } guard{filter, filter->AddObserver(itk::ProgressEvent(), observer)};

    try {
        CancelWatcher watcher(filter, control);
        filter->Update();
    } catch (const itk::ProcessAborted&) {
        throw CancelledError();
    } catch (const itk::ExceptionObject& e) {
        if (control.isCancelled()) throw CancelledError();
        throw StageError(std::string(filter->GetNameOfClass()) + " failed: " + e.GetDescription());
    }
    control.throwIfCancelled();
    control.report(1.0);
}

FloatImage2::Pointer itkSliceView(const Volume& volume, std::int64_t z) {
    using Import = itk::ImportImageFilter<float, 2>;
    auto import = Import::New();
    Import::SizeType size;
    size[0] = itk::SizeValueType(volume.nx());
    size[1] = itk::SizeValueType(volume.ny());
    Import::IndexType start;
    start.Fill(0);
    Import::RegionType region(start, size);
    double spacing[2], origin[2];
    for (int a = 0; a < 2; ++a) {
        spacing[a] = volume.voxelSize()[std::size_t(a)];
        origin[a] = volume.origin()[std::size_t(a)] + 0.5 * spacing[a];
    }
    import->SetRegion(region);
    import->SetSpacing(spacing);
    import->SetOrigin(origin);
    const std::int64_t sliceVoxels = volume.nx() * volume.ny();
    float* buffer = const_cast<float*>(volume.data<float>()) + z * sliceVoxels;
    import->SetImportPointer(buffer, itk::SizeValueType(sliceVoxels), /*LetImageContainerManageMemory=*/false);
    import->Update();
    FloatImage2::Pointer image = import->GetOutput();
    image->DisconnectPipeline();
    return image;
}

}  // namespace cellforge::filters
