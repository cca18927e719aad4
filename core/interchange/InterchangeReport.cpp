// SPDX-License-Identifier: GPL-3.0-or-later
#include "interchange/InterchangeReport.h"

#include <QCoreApplication>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::InterchangeReport", text);
}

qint64 InterchangeReport::warningCount() const
{
    qint64 n = 0;
    for (const InterchangeIssue &issue : issues)
        n += issue.skipped ? 0 : 1;
    return n;
}

int InterchangeReport::exitCode() const
{
    if (failed())
        return 2;
    const qint64 imported = imagesUpdated + imagesUnchanged;
    if (skipped > 0 && imported == 0)
        return 2;
    return (skipped > 0 || cancelled) ? 1 : 0;
}

QJsonObject InterchangeReport::toJson() const
{
    QJsonArray list;
    for (const InterchangeIssue &issue : issues)
        list.append(QJsonObject { { u"code"_s, issue.code }, { u"file"_s, issue.file },
            { u"message"_s, issue.message }, { u"skipped"_s, issue.skipped } });
    QJsonObject o { { u"ok"_s, exitCode() == 0 }, { u"format"_s, format }, { u"rater"_s, rater },
        { u"rater_created"_s, raterCreated }, { u"files_read"_s, filesRead },
        { u"images_matched"_s, imagesMatched }, { u"matched_by_name"_s, matchedByName },
        { u"images_updated"_s, imagesUpdated }, { u"images_unchanged"_s, imagesUnchanged },
        { u"annotations_written"_s, annotationsWritten }, { u"masks_written"_s, masksWritten },
        { u"skipped"_s, skipped }, { u"warnings"_s, warningCount() }, { u"issues"_s, list },
        { u"cancelled"_s, cancelled }, { u"seconds"_s, seconds } };
    if (failed())
        o.insert(u"error"_s, error);
    return o;
}

QString InterchangeReport::summary() const
{
    if (failed())
        return error;
    QString text = (format == u"coco"_s ? tr("Read %1 COCO image entries") : tr("Read %1 LabelMe files"))
                       .arg(filesRead);
    text += tr(": %1 images matched in the store (%2 by file name), %3 updated, %4 already up to date; "
               "%5 annotations and %6 masks written for %7; %8 skipped, %9 warnings.")
                .arg(imagesMatched)
                .arg(matchedByName)
                .arg(imagesUpdated)
                .arg(imagesUnchanged)
                .arg(annotationsWritten)
                .arg(masksWritten)
                .arg(rater)
                .arg(skipped)
                .arg(warningCount());
    if (raterCreated)
        text += u'\n'
            + tr("Created the dermatologist account %1, disabled: it cannot sign in until an administrator "
                 "enables it and sets a password (workstation: Users).")
                  .arg(rater);
    if (cancelled)
        text += u'\n'
            + tr("Cancelled: the images done so far are stored; run the same import again to finish.");
    return text;
}

} // namespace dl
