// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/ImageIngest.h"
#include "import/ImportPlan.h"
#include "import/ImportReport.h"

#include <atomic>
#include <functional>

namespace dl {

class Store;

enum class ImportKind { Folder, Scin, Passion };
QString importKindKey(ImportKind kind);

struct ImportOptions
{
    qint64 pixelLimit = ImageProbe::DefaultPixelLimit;
    int thumbnailEdge = 256;
    QString licence;        ///< replaces the licence found with the data, when set
    QString attribution;
    qint64 userId = -1;     ///< who runs the import, for the audit log
    int batchSize = 64;     ///< files per transaction
    /// Run the frontal-face check on every new image and flag possible faces for suitability
    /// review (FaceCheck). Each new image is stored as waiting for the check (and held back from
    /// export until it has run); the check runs after the files are stored.
    bool faceCheck = true;
    /// Leave the check of the new images to the caller (FaceCheck::runPending, which the
    /// workstation runs in the background); otherwise run() checks them before it returns
    /// (ImportProgress::Phase::Faces). When it cannot run (cascade not installed, stopped), the
    /// images keep waiting and a warning says so.
    bool faceCheckLater = false;
};

struct ImportProgress
{
    enum class Phase { Reading, Images, Cases, Faces, Finished };
    Phase phase = Phase::Reading;
    qint64 done = 0;
    qint64 total = 0;
    QString currentPath;
};

/// Imports a folder or a dataset layout into a store.
///
/// Files are read, hashed, checked and thumbnailed on the global thread pool;
/// the calling thread writes the results in batches, each in one transaction,
/// while the next batch is being read. Bad files are reported, never stored.
/// Cancelling keeps what was written; running the same import again skips
/// files already imported (same path, size and time) and so resumes it.
class ImportService
{
public:
    using ProgressCallback = std::function<void(const ImportProgress &)>;

    explicit ImportService(Store &store) : m_store(store) { }

    /// Reads the layout at path; std::nullopt with *error when it cannot be read.
    static std::optional<ImportPlan> plan(ImportKind kind, const QString &path, QString *error,
                                          const std::atomic_bool *cancel = nullptr);

    ImportReport run(const ImportPlan &plan, const ImportOptions &options, const ProgressCallback &progress = {},
                     const std::atomic_bool *cancel = nullptr);

    /// plan() then run().
    ImportReport importPath(ImportKind kind, const QString &path, const ImportOptions &options,
                            const ProgressCallback &progress = {}, const std::atomic_bool *cancel = nullptr);

private:
    Store &m_store;
};

} // namespace dl
