// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "qa/RatingTable.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>
#include <optional>

namespace dl {

struct CsvTable;

/// The external long table of ratings: RFC 4180 CSV whose header is exactly
/// `item,rater,field,value`, one rating per row.
///
/// Rows with an empty value are missing ratings and skipped. An empty item, rater or
/// field, or a second rating of the same item by the same rater in the same field, is
/// an error naming the line.
class RatingsFile
{
    Q_DECLARE_TR_FUNCTIONS(dl::RatingsFile)

public:
    /// One RatingTable per field, sorted by field name, all at MeasureLevel::Nominal
    /// unless `levels` names the field (levels of fields not in the file are ignored).
    static std::optional<QList<RatingTable>> read(
        const QString &path, QString *error, const QHash<QString, MeasureLevel> &levels = {});

    /// The same from an already parsed table; `label` starts the error messages.
    static std::optional<QList<RatingTable>> fromCsv(const CsvTable &csv, const QString &label,
        QString *error, const QHash<QString, MeasureLevel> &levels = {});

    /// Writes the tables in the same format (ratings in the order added, fields in the
    /// order given).
    static bool write(const QString &path, const QList<RatingTable> &tables, QString *error);
};

} // namespace dl
