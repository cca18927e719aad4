// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <functional>
#include <memory>
#include <optional>

namespace dl {

/// One entry of the condition taxonomy. Labels store `id`, never `name`: renaming a condition or
/// adding synonyms leaves every stored label valid.
struct Condition
{
    QString id; ///< stable, lowercase snake_case ([a-z0-9_]+), never reused for another condition
    QString name; ///< display name (British spelling in the built-in taxonomy)
    QStringList synonyms; ///< clinical and lay alternatives, American spellings, dataset spellings
    QString parentId; ///< the group this condition belongs to; empty for a root group

    bool operator==(const Condition &other) const = default;
};

/// An immutable, validated tree of conditions with type-ahead search.
///
/// Copies are cheap (the data is shared) and a Taxonomy may be read from several threads at once.
/// Pointers returned by find() stay valid as long as any copy of the taxonomy is alive.
///
/// Rules every taxonomy satisfies (checked by fromConditions(), fromCsv() and fromFile()):
/// - ids are unique and match `^[a-z0-9_]+$`;
/// - names are non-empty and unique after folding (case, accents and punctuation ignored), because
///   idForName() maps names to ids;
/// - every parent exists, and following parents never loops back (no cycles);
/// - a synonym is non-empty and holds no '|' (the CSV separator).
/// Softer problems are warnings: the taxonomy is still accepted, and the rule that resolves them is
/// fixed so that the result does not depend on chance:
/// - a synonym that folds to another condition's name: idForName() and the exact-name rank of search()
///   prefer the condition of that name; the synonym still helps search find its own condition;
/// - a synonym shared by several conditions: idForName() returns the first of them in file order;
/// - a synonym that folds to its own condition's name or repeats another synonym of the same
///   condition is dropped silently.
class Taxonomy
{
    Q_DECLARE_TR_FUNCTIONS(dl::Taxonomy)

public:
    /// Rank of a search match; a higher value is a better match.
    enum MatchRank : int
    {
        Substring = 1, ///< the query occurs inside a name or synonym
        WordPrefix = 2, ///< a word of a name or synonym starts with the query (or with each query word)
        SynonymPrefix = 3, ///< a synonym starts with the query
        SynonymExact = 4, ///< the query is a synonym
        NamePrefix = 5, ///< the name starts with the query
        NameExact = 6, ///< the query is the name
    };

    struct Match
    {
        QString id;
        QString matchedText; ///< the name or synonym that matched, as written in the taxonomy
        int score = 0; ///< a MatchRank
    };

    /// An empty taxonomy (no conditions).
    Taxonomy();

    /// The built-in default taxonomy (default_taxonomy.csv compiled in as ":/taxonomy/..."), parsed on
    /// first use; safe to call from any thread.
    static const Taxonomy &builtin();
    /// Resource path of the built-in taxonomy CSV.
    static QString builtinPath();

    /// Validates \a conditions (see the class comment) and builds a taxonomy that keeps their order.
    /// On failure returns std::nullopt and sets *error to every problem, one per line, each naming
    /// the entry ("entry 3 (tinea): ..."). Warnings are appended to *warnings when given.
    static std::optional<Taxonomy> fromConditions(
        const QList<Condition> &conditions, QString *error, QStringList *warnings = nullptr);

    /// Parses and validates a taxonomy CSV (see TaxonomyCsv for the format). Problems name the CSV
    /// line, e.g. "taxonomy.csv: line 7: duplicate id "tinea" (first used on line 3)". \a fileLabel
    /// starts each message; empty means "taxonomy CSV".
    static std::optional<Taxonomy> fromCsv(QByteArrayView csv, QString *error,
        QStringList *warnings = nullptr, const QString &fileLabel = QString());

    /// Reads and validates the taxonomy CSV at \a path (a file or a Qt resource); messages start with
    /// the path.
    static std::optional<Taxonomy> fromFile(
        const QString &path, QString *error, QStringList *warnings = nullptr);

    /// The taxonomy as CSV (id,name,synonyms,parent); fromCsv() reads it back unchanged.
    QByteArray toCsv() const;

    qsizetype size() const;
    bool isEmpty() const { return size() == 0; }

    /// All conditions in file order.
    QList<Condition> conditions() const;
    /// The condition with \a id, or nullptr if there is none.
    const Condition *find(QStringView id) const;
    bool contains(QStringView id) const { return find(id) != nullptr; }
    /// The display name of \a id, or \a id itself if it is unknown (e.g. a label from an older taxonomy).
    QString displayName(QStringView id) const;
    /// Display names from the root group down to \a id itself, e.g. {"Infections", "Fungal infection",
    /// "Tinea", "Tinea pedis"}; empty if \a id is unknown.
    QStringList pathOf(QStringView id) const;
    /// Ids of the direct children of \a id in file order; the root groups when \a id is empty.
    QStringList childrenOf(QStringView id) const;
    /// True if \a id is \a ancestorId or lies below it.
    bool isWithin(QStringView id, QStringView ancestorId) const;

    /// Type-ahead search over names and synonyms, ignoring case, accents and punctuation. Each condition
    /// appears at most once, with its best match (the name when a synonym matches equally well).
    /// Matches are ordered by rank (see MatchRank); within a rank, matches on a name come before
    /// matches on a synonym (this only separates word-prefix and substring matches), then by name,
    /// then by id. A query of several words also matches, as a word prefix, a name or synonym in which
    /// each query word starts a word ("hyperpig infl"). Returns at most \a limit matches (all when
    /// \a limit is negative); nothing for a query without letters or digits. Well under 1 ms for 2,000
    /// conditions (0.1-0.3 ms): names and synonyms are folded once, when the taxonomy is built.
    QList<Match> search(QStringView query, int limit = 20) const;

    /// Maps a free-text condition name (SCIN's condition lists, a PASSION class, a LabelMe label) to an
    /// id, ignoring case, accents and punctuation: a condition's name first, then an exact id, then a
    /// synonym (the first condition in file order that has it). std::nullopt if nothing matches.
    std::optional<QString> idForName(QStringView name) const;

    /// The search key of \a text: lowercase, compatibility-decomposed with the accents removed,
    /// ligatures such as "æ" and "ß" spelt out, apostrophes dropped and every other run of characters
    /// that are not letters or digits turned into one space, trimmed. "Athlete's Foot" -> "athletes foot",
    /// "Nævus" -> "naevus", "Café-au-lait" -> "cafe au lait".
    static QString fold(QStringView text);

private:
    struct Data;
    explicit Taxonomy(std::shared_ptr<const Data> data);
    /// Checks and indexes \a conditions; where(i) names entry i ("line 7", "entry 3 (tinea)") and
    /// \a prefix starts every message.
    static std::optional<Taxonomy> build(QList<Condition> conditions,
        const std::function<QString(qsizetype)> &where, const QString &prefix, QString *error,
        QStringList *warnings);
    std::shared_ptr<const Data> d;
};

} // namespace dl
