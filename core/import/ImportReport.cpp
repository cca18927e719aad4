// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/ImportReport.h"

#include <QCoreApplication>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace dl {

static QJsonArray issuesToJson(const QList<FileIssue> &issues)
{
    QJsonArray array;
    for (const FileIssue &issue : issues)
        array.append(QJsonObject {{u"path"_s, issue.path}, {u"reason"_s, issue.key}, {u"message"_s, issue.message}});
    return array;
}

int ImportReport::exitCode() const
{
    if (failed())
        return 2;
    return (!rejected.isEmpty() || !missing.isEmpty() || cancelled) ? 1 : 0;
}

QJsonObject ImportReport::toJson() const
{
    QJsonObject o {{u"kind"_s, kind},
                   {u"imported"_s, imported},
                   {u"duplicates"_s, duplicates},
                   {u"already_imported"_s, alreadyImported},
                   {u"cases"_s, cases},
                   {u"cases_existing"_s, casesExisting},
                   {u"reference_labels"_s, referenceLabels},
                   {u"ignored_files"_s, ignoredFiles},
                   {u"face_flags"_s, faceFlags},
                   {u"rejected"_s, issuesToJson(rejected)},
                   {u"missing"_s, issuesToJson(missing)},
                   {u"warnings"_s, QJsonArray::fromStringList(warnings)},
                   {u"unknown_split_subjects"_s, QJsonArray::fromStringList(unknownSplitSubjects)},
                   {u"cancelled"_s, cancelled},
                   {u"resumed"_s, resumed},
                   {u"seconds"_s, qRound(seconds * 1000.0) / 1000.0}};
    if (failed())
        o.insert(u"error"_s, error);
    return o;
}

QString ImportReport::summary() const
{
    auto tr = [](const char *text) { return QCoreApplication::translate("dl::ImportReport", text); };
    if (failed())
        return error;
    QStringList lines;
    lines << tr("%1 new images, %2 duplicates, %3 already imported.")
                 .arg(imported)
                 .arg(duplicates)
                 .arg(alreadyImported);
    if (cases || casesExisting)
        lines << tr("%1 new cases, %2 already known; %3 new reference labels.").arg(cases).arg(casesExisting).arg(referenceLabels);
    if (faceFlags > 0)
        lines << tr("%1 images may show a face: flagged for suitability review.").arg(faceFlags);
    if (!rejected.isEmpty())
        lines << tr("%1 files rejected.").arg(rejected.size());
    if (!missing.isEmpty())
        lines << tr("%1 referenced files missing.").arg(missing.size());
    if (resumed)
        lines << tr("An interrupted import of this source was resumed.");
    if (cancelled)
        lines << tr("Cancelled: what was read so far is kept; run the same import again to continue.");
    return lines.join(u'\n');
}

} // namespace dl
