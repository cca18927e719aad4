// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace dl {

// One record offered for release, with its quasi-identifiers (for the bundle: age group, sex,
// self-reported skin type, body site, country, consensus condition), always in the same order.
struct QuasiIdentifierRecord
{
    QString key; // what the caller uses to find the record again (an image or case id)
    QStringList quasiIdentifiers;
    QString person = {}; // whose record it is (a case id); empty: the record is a person of its own
};

// Records sharing one combination of quasi-identifiers.
struct EquivalenceClass
{
    QStringList values; // normalised: trimmed, empty -> KAnonymityGate::unknown()
    int size = 0; // distinct people
    int records = 0;
    bool heldBack = false; // size < k
};

struct KAnonymityResult
{
    int k = 1;
    int recordCount = 0;
    QStringList released; // keys, in input order
    QStringList heldBack; // keys, in input order
    QList<EquivalenceClass> classes; // sorted by values
    QList<int> classSizeOfRecord; // parallel to the input: the number of people in the record's class
    int classCount() const { return int(classes.size()); }
    int heldBackClassCount() const;
};

// The k-anonymity count over people: a record is held back when fewer than k people (its own
// included) have a record with its combination of quasi-identifiers; several records of one
// person (the images of a case) count once. Values are compared exactly after trimming; an empty
// value counts as "unknown" (so "" and "unknown" are the same value); a record with fewer values
// than another is padded with "unknown". k <= 1 holds nothing back. Classes are independent of each
// other, so one pass decides: holding a small class back never shrinks another.
class KAnonymityGate
{
public:
    static constexpr int DefaultK = 5;
    static QString unknown(); // "unknown"

    static KAnonymityResult evaluate(const QList<QuasiIdentifierRecord> &records, int k);
};

} // namespace dl
