// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/SchemaTables.h"

using namespace Qt::StringLiterals;

namespace dl {

QStringList SchemaTables::inDependencyOrder()
{
    return {
        // migration 1
        u"settings"_s,
        u"sources"_s,
        u"images"_s,
        u"image_files"_s,
        u"cases"_s,
        u"case_images"_s,
        u"case_attributes"_s,
        u"reference_labels"_s,
        u"users"_s,
        u"assignments"_s,
        u"annotations"_s,
        u"annotation_diagnoses"_s,
        u"masks"_s,
        u"audit_log"_s,
        u"import_runs"_s,
        // migration 2
        u"consensus"_s,
        u"consensus_diagnoses"_s,
        u"adjudications"_s,
        u"image_flags"_s,
        // migration 3
        u"consensus_stale"_s,
    };
}

QStringList SchemaTables::notCopied()
{
    // image_blobs: the image files, copied by content (ImageBlobRepository on a team store,
    // the image folder beside a store file), not as rows.
    return {u"schema_version"_s, u"image_blobs"_s};
}

} // namespace dl
