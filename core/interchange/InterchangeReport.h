// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace dl {

/// One problem with one input of an interchange import: a LabelMe JSON file or a COCO image entry.
struct InterchangeIssue
{
    /// Why, for scripts. Skipping (the input wrote nothing): "malformed", "missing_image",
    /// "not_in_store", "ambiguous_name", "duplicate", "size_mismatch", "error". Warnings (the rest
    /// of the input was imported): "unknown_label", "empty_region", "too_many_diagnoses",
    /// "cannot_determine", "no_labels", "shape_ignored", "annotation_skipped".
    QString code;
    QString file; ///< the LabelMe JSON file, or the COCO file_name
    QString message; ///< for people
    bool skipped = false; ///< the whole input was left out (nothing written for it)
};

/// The outcome of InterchangeImporter::run(), as the CLI prints it and a dialog shows it.
struct InterchangeReport
{
    QString format; ///< "labelme" or "coco"
    QString rater; ///< the user name the labels were written for
    bool raterCreated = false; ///< the account was created by this import
    qint64 filesRead = 0; ///< LabelMe JSON files read, or COCO image entries
    qint64 imagesMatched = 0; ///< inputs whose image was found in the store
    qint64 matchedByName = 0; ///< of those, found by file name rather than content
    qint64 imagesUpdated = 0; ///< images whose labels, masks or assignment changed
    qint64 imagesUnchanged = 0; ///< images where the store already held everything (a re-run)
    qint64 annotationsWritten = 0; ///< annotations created or with labels added
    qint64 masksWritten = 0; ///< new mask versions
    qint64 skipped = 0; ///< inputs left out (see issues)
    QList<InterchangeIssue> issues;
    bool cancelled = false;
    double seconds = 0;
    QString error; ///< set when nothing could be done (a bad path, a refused rater ...)

    bool failed() const { return !error.isEmpty(); }
    qint64 warningCount() const;
    /// 0: everything imported; 1: imported, but some inputs were skipped or the run was cancelled;
    /// 2: nothing could be imported (an error, or every input skipped).
    int exitCode() const;
    QJsonObject toJson() const;
    /// A few lines for people.
    QString summary() const;
};

} // namespace dl
