// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/KAnonymityGate.h"

#include <QMap>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

int KAnonymityResult::heldBackClassCount() const
{
    return int(std::count_if(
        classes.cbegin(), classes.cend(), [](const EquivalenceClass &c) { return c.heldBack; }));
}

QString KAnonymityGate::unknown()
{
    return u"unknown"_s;
}

KAnonymityResult KAnonymityGate::evaluate(const QList<QuasiIdentifierRecord> &records, int k)
{
    KAnonymityResult result;
    result.k = std::max(1, k);
    result.recordCount = int(records.size());

    qsizetype width = 0;
    for (const QuasiIdentifierRecord &r : records)
        width = std::max(width, r.quasiIdentifiers.size());
    QList<QStringList> normalised;
    normalised.reserve(records.size());
    QMap<QStringList, int> sizes; // sorted by values
    for (const QuasiIdentifierRecord &r : records) {
        QStringList values;
        values.reserve(width);
        for (qsizetype i = 0; i < width; ++i) {
            const QString v = i < r.quasiIdentifiers.size() ? r.quasiIdentifiers.at(i).trimmed() : QString();
            values.append(v.isEmpty() ? unknown() : v);
        }
        ++sizes[values];
        normalised.append(values);
    }
    for (auto it = sizes.cbegin(); it != sizes.cend(); ++it)
        result.classes.append({ it.key(), it.value(), it.value() < result.k });
    for (qsizetype i = 0; i < records.size(); ++i) {
        const int size = sizes.value(normalised.at(i));
        result.classSizeOfRecord.append(size);
        (size < result.k ? result.heldBack : result.released).append(records.at(i).key);
    }
    return result;
}

} // namespace dl
