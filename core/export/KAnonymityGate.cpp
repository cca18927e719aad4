// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/KAnonymityGate.h"

#include <QMap>
#include <QSet>

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

KAnonymityResult KAnonymityGate::evaluate(const QList<QuasiIdentifierRecord> &input, int k)
{
    KAnonymityResult result;
    result.k = std::max(1, k);
    result.recordCount = int(input.size());

    qsizetype width = 0;
    for (const QuasiIdentifierRecord &r : input)
        width = std::max(width, r.quasiIdentifiers.size());
    QList<QStringList> normalised;
    normalised.reserve(input.size());
    QMap<QStringList, int> records; // sorted by values
    QMap<QStringList, QSet<QString>> people;
    for (const QuasiIdentifierRecord &r : input) {
        QStringList values;
        values.reserve(width);
        for (qsizetype i = 0; i < width; ++i) {
            const QString v = i < r.quasiIdentifiers.size() ? r.quasiIdentifiers.at(i).trimmed() : QString();
            values.append(v.isEmpty() ? unknown() : v);
        }
        ++records[values];
        people[values].insert(r.person.isEmpty() ? u"record:"_s + r.key : u"person:"_s + r.person);
        normalised.append(values);
    }
    for (auto it = people.cbegin(); it != people.cend(); ++it)
        result.classes.append({it.key(), int(it->size()), records.value(it.key()), int(it->size()) < result.k});
    for (qsizetype i = 0; i < input.size(); ++i) {
        const int size = int(people.value(normalised.at(i)).size());
        result.classSizeOfRecord.append(size);
        (size < result.k ? result.heldBack : result.released).append(input.at(i).key);
    }
    return result;
}

} // namespace dl
