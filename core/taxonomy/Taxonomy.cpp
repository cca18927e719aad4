// SPDX-License-Identifier: GPL-3.0-or-later
#include "taxonomy/Taxonomy.h"

#include "taxonomy/TaxonomyCsv.h"

#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QSet>
#include <algorithm>
#include <functional>
#include <numeric>
#include <vector>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

Q_LOGGING_CATEGORY(lcTaxonomy, "dl.taxonomy")

/// At most this many problems are listed in one error message.
constexpr qsizetype kMaxListedProblems = 50;

bool isValidId(QStringView id)
{
    if (id.isEmpty())
        return false;
    for (const QChar c : id) {
        const char16_t u = c.unicode();
        if (!((u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'_'))
            return false;
    }
    return true;
}

void appendCodePoint(QString &out, char32_t c)
{
    if (QChar::requiresSurrogates(c)) {
        out.append(QChar(QChar::highSurrogate(c)));
        out.append(QChar(QChar::lowSurrogate(c)));
    } else {
        out.append(QChar(char16_t(c)));
    }
}

/// Letters that compatibility decomposition leaves alone but a reader treats as two letters or as a
/// plain letter; nullptr for the others. \a c is already lowercase.
const char16_t *spelledOut(char32_t c)
{
    switch (c) {
    case U'\u00df':
        return u"ss"; // ß
    case U'\u00e6':
        return u"ae"; // æ
    case U'\u0153':
        return u"oe"; // œ
    case U'\u00f8':
        return u"o"; // ø
    case U'\u0111':
        return u"d"; // đ
    case U'\u00f0':
        return u"d"; // ð
    case U'\u0142':
        return u"l"; // ł
    case U'\u00fe':
        return u"th"; // þ
    case U'\u0131':
        return u"i"; // dotless i
    default:
        return nullptr;
    }
}

bool isApostrophe(char32_t c)
{
    return c == U'\'' || c == U'\u2019' || c == U'\u2018' || c == U'\u02bc' || c == U'`';
}

/// True if \a needle starts a word of \a text (folded: words are separated by single spaces).
bool startsAWord(QStringView text, QStringView needle)
{
    const qsizetype n = text.size();
    const qsizetype m = needle.size();
    const char16_t *t = text.utf16();
    const char16_t *p = needle.utf16();
    for (qsizetype i = 0; i + m <= n; ++i) {
        if ((i == 0 || t[i - 1] == u' ') && t[i] == p[0] && std::equal(p + 1, p + m, t + i + 1)) {
            return true;
        }
    }
    return false;
}

/// Folded, non-empty query with its words (views into `text`).
struct Query
{
    QString text;
    QList<QStringView> words;
};

/// How well \a term (a folded name or synonym) matches \a q; 0 for no match. One pass over the term:
/// this runs for every name and synonym on every keystroke.
int rankOf(QStringView term, bool isName, const Query &q)
{
    const qsizetype n = term.size();
    const qsizetype m = q.text.size();
    const char16_t *t = term.utf16();
    const char16_t *p = QStringView(q.text).utf16();
    bool inside = false;
    for (qsizetype i = 0; i + m <= n; ++i) {
        if (t[i] != p[0] || !std::equal(p + 1, p + m, t + i + 1))
            continue;
        if (i == 0) {
            if (m == n)
                return isName ? Taxonomy::NameExact : Taxonomy::SynonymExact;
            return isName ? Taxonomy::NamePrefix : Taxonomy::SynonymPrefix;
        }
        if (t[i - 1] == u' ')
            return Taxonomy::WordPrefix;
        inside = true;
    }
    if (q.words.size() > 1) {
        const bool allWords = std::all_of(
            q.words.cbegin(), q.words.cend(), [term](QStringView w) { return startsAWord(term, w); });
        if (allWords)
            return Taxonomy::WordPrefix;
    }
    return inside ? Taxonomy::Substring : 0;
}

/// Joins problems into one message, listing at most kMaxListedProblems.
QString joinProblems(const QStringList &problems)
{
    if (problems.size() <= kMaxListedProblems)
        return problems.join(u'\n');
    return problems.mid(0, kMaxListedProblems).join(u'\n') + u'\n'
        + QCoreApplication::translate(
            "dl::Taxonomy", "... and %n more problem(s)", nullptr, int(problems.size() - kMaxListedProblems));
}

} // namespace

struct Taxonomy::Data
{
    /// A searchable string: a condition's name (synonym == -1) or one of its synonyms.
    struct Term
    {
        QString folded;
        qsizetype synonym;
    };

    QList<Condition> conditions;
    QStringList foldedNames; ///< per condition
    QList<qsizetype> nameOrder; ///< per condition: its position when sorted by folded name, then id
    QList<Term> terms; ///< per condition: the name, then its synonyms
    QList<qsizetype> termStart; ///< terms of condition i are [termStart[i], termStart[i + 1])
    QList<qsizetype> parent; ///< index of the parent, -1 for a root
    QList<QList<qsizetype>> children; ///< per condition, in file order
    QList<qsizetype> roots;
    QHash<QString, qsizetype> byId;
    QHash<QString, qsizetype> byFoldedName;
    QHash<QString, qsizetype> byFoldedSynonym; ///< first condition in file order with that synonym
};

Taxonomy::Taxonomy()
    : d(std::make_shared<const Data>())
{ }

Taxonomy::Taxonomy(std::shared_ptr<const Data> data)
    : d(std::move(data))
{ }

std::optional<Taxonomy> Taxonomy::build(QList<Condition> conditions,
    const std::function<QString(qsizetype)> &where, const QString &prefix, QString *error,
    QStringList *warningsOut)
{
    QStringList errors;
    QStringList warnings;
    const auto at = [&](qsizetype i) { return prefix + where(i) + u": "_s; };

    auto d = std::make_shared<Data>();
    const qsizetype n = conditions.size();

    // Normalise white space; drop synonyms that repeat the name or another synonym once folded.
    for (Condition &c : conditions) {
        c.id = c.id.trimmed();
        c.name = c.name.simplified();
        c.parentId = c.parentId.trimmed();
        QStringList kept;
        QSet<QString> seen { Taxonomy::fold(c.name) };
        for (const QString &raw : std::as_const(c.synonyms)) {
            const QString synonym = raw.simplified();
            const QString folded = Taxonomy::fold(synonym);
            if (synonym.isEmpty()) {
                continue;
            } else if (synonym.contains(TaxonomyCsv::SynonymSeparator)) {
                errors.append(at(d->conditions.size())
                    + tr("synonym \"%1\" contains '|', which separates synonyms").arg(synonym));
            } else if (folded.isEmpty()) {
                errors.append(
                    at(d->conditions.size()) + tr("synonym \"%1\" has no letters or digits").arg(synonym));
            } else if (!seen.contains(folded)) {
                seen.insert(folded);
                kept.append(synonym);
            }
        }
        c.synonyms = kept;
        d->conditions.append(c);
    }

    // Ids and names.
    d->foldedNames.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const Condition &c = d->conditions.at(i);
        if (c.id.isEmpty()) {
            errors.append(at(i) + tr("the id is empty"));
        } else if (!isValidId(c.id)) {
            errors.append(
                at(i) + tr("id \"%1\" may only contain lowercase letters a-z, digits and '_'").arg(c.id));
        } else if (const auto it = d->byId.constFind(c.id); it != d->byId.cend()) {
            errors.append(at(i) + tr("duplicate id \"%1\" (first used on %2)").arg(c.id, where(*it)));
        } else {
            d->byId.insert(c.id, i);
        }

        const QString folded = Taxonomy::fold(c.name);
        d->foldedNames.append(folded);
        if (c.name.isEmpty()) {
            errors.append(at(i) + tr("condition \"%1\" has no name").arg(c.id));
        } else if (folded.isEmpty()) {
            errors.append(at(i) + tr("name \"%1\" has no letters or digits").arg(c.name));
        } else if (const auto it = d->byFoldedName.constFind(folded); it != d->byFoldedName.cend()) {
            errors.append(at(i)
                + tr("name \"%1\" is already the name of \"%2\" (%3); names must differ in more than "
                     "case, accents or punctuation")
                      .arg(c.name, d->conditions.at(*it).id, where(*it)));
        } else {
            d->byFoldedName.insert(folded, i);
        }
    }

    // Parents.
    d->parent.fill(-1, n);
    for (qsizetype i = 0; i < n; ++i) {
        const Condition &c = d->conditions.at(i);
        if (c.parentId.isEmpty())
            continue;
        const auto it = d->byId.constFind(c.parentId);
        if (it == d->byId.cend())
            errors.append(at(i) + tr("parent \"%1\" of \"%2\" is not a condition id").arg(c.parentId, c.id));
        else
            d->parent[i] = *it;
    }

    // Cycles: follow each chain of parents; a chain that meets itself is a cycle, reported once.
    {
        enum State : quint8
        {
            Unvisited,
            OnPath,
            Done
        };
        std::vector<State> state(size_t(n), Unvisited);
        for (qsizetype start = 0; start < n; ++start) {
            QList<qsizetype> path;
            qsizetype i = start;
            while (i >= 0 && state[size_t(i)] == Unvisited) {
                state[size_t(i)] = OnPath;
                path.append(i);
                i = d->parent.at(i);
            }
            if (i >= 0 && state[size_t(i)] == OnPath) {
                QStringList ids;
                for (qsizetype k = path.indexOf(i); k < path.size(); ++k)
                    ids.append(d->conditions.at(path.at(k)).id);
                ids.append(d->conditions.at(i).id);
                errors.append(at(i) + tr("parents form a cycle: %1").arg(ids.join(u" -> "_s)));
            }
            for (const qsizetype k : std::as_const(path))
                state[size_t(k)] = Done;
        }
    }

    // Synonyms (warnings only).
    for (qsizetype i = 0; i < n; ++i) {
        const Condition &c = d->conditions.at(i);
        for (const QString &synonym : c.synonyms) {
            const QString folded = Taxonomy::fold(synonym);
            if (const auto it = d->byFoldedName.constFind(folded); it != d->byFoldedName.cend() && *it != i) {
                warnings.append(at(i)
                    + tr("synonym \"%1\" of \"%2\" is the name of \"%3\" (%4); that name maps to \"%3\"")
                          .arg(synonym, c.id, d->conditions.at(*it).id, where(*it)));
            }
            if (const auto it = d->byFoldedSynonym.constFind(folded); it != d->byFoldedSynonym.cend()) {
                warnings.append(at(i)
                    + tr("synonym \"%1\" of \"%2\" is also a synonym of \"%3\" (%4); it maps to \"%3\"")
                          .arg(synonym, c.id, d->conditions.at(*it).id, where(*it)));
            } else {
                d->byFoldedSynonym.insert(folded, i);
            }
        }
    }

    if (warningsOut)
        warningsOut->append(warnings);
    if (!errors.isEmpty()) {
        if (error)
            *error = joinProblems(errors);
        return std::nullopt;
    }

    // Tree and search terms.
    d->children.resize(n);
    for (qsizetype i = 0; i < n; ++i) {
        if (d->parent.at(i) < 0)
            d->roots.append(i);
        else
            d->children[d->parent.at(i)].append(i);
    }
    d->termStart.reserve(n + 1);
    for (qsizetype i = 0; i < n; ++i) {
        d->termStart.append(d->terms.size());
        d->terms.append({ d->foldedNames.at(i), -1 });
        const QStringList &synonyms = d->conditions.at(i).synonyms;
        for (qsizetype s = 0; s < synonyms.size(); ++s)
            d->terms.append({ Taxonomy::fold(synonyms.at(s)), s });
    }
    d->termStart.append(d->terms.size());

    // Search results tie-break on name: rank the names once here instead of comparing strings per query.
    QList<qsizetype> byName(n);
    std::iota(byName.begin(), byName.end(), qsizetype(0));
    std::sort(byName.begin(), byName.end(), [&d](qsizetype a, qsizetype b) {
        const int c = QString::compare(d->foldedNames.at(a), d->foldedNames.at(b));
        return c != 0 ? c < 0 : d->conditions.at(a).id < d->conditions.at(b).id;
    });
    d->nameOrder.resize(n);
    for (qsizetype k = 0; k < n; ++k)
        d->nameOrder[byName.at(k)] = k;
    return Taxonomy(std::move(d));
}

QString Taxonomy::builtinPath()
{
    return u":/taxonomy/default_taxonomy.csv"_s;
}

const Taxonomy &Taxonomy::builtin()
{
    // A function-local static is initialised exactly once, even with concurrent callers.
    static const Taxonomy instance = [] {
        QString error;
        QStringList warnings;
        std::optional<Taxonomy> t = fromFile(builtinPath(), &error, &warnings);
        for (const QString &w : std::as_const(warnings))
            qCWarning(lcTaxonomy).noquote() << w;
        if (!t) {
            qCCritical(lcTaxonomy).noquote() << "the built-in taxonomy is invalid:" << error;
            return Taxonomy();
        }
        return *std::move(t);
    }();
    return instance;
}

std::optional<Taxonomy> Taxonomy::fromConditions(
    const QList<Condition> &conditions, QString *error, QStringList *warnings)
{
    const auto where = [&conditions](qsizetype i) {
        const QString id = conditions.at(i).id.trimmed();
        return id.isEmpty() ? tr("entry %1").arg(i + 1) : tr("entry %1 (%2)").arg(i + 1).arg(id);
    };
    return build(conditions, where, QString(), error, warnings);
}

std::optional<Taxonomy> Taxonomy::fromCsv(
    QByteArrayView csv, QString *error, QStringList *warnings, const QString &fileLabel)
{
    const QString label = fileLabel.isEmpty() ? tr("taxonomy CSV") : fileLabel;
    const std::optional<TaxonomyCsv::Rows> rows = TaxonomyCsv::read(csv, label, error, warnings);
    if (!rows)
        return std::nullopt;

    const QList<qsizetype> &lines = rows->lines;
    const auto where = [&lines](qsizetype i) { return tr("line %1").arg(lines.at(i)); };
    return build(rows->conditions, where, label + u": "_s, error, warnings);
}

std::optional<Taxonomy> Taxonomy::fromFile(const QString &path, QString *error, QStringList *warnings)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("%1: cannot open the file: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        if (error)
            *error = tr("%1: cannot read the file: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return fromCsv(bytes, error, warnings, path);
}

QByteArray Taxonomy::toCsv() const
{
    return TaxonomyCsv::write(d->conditions);
}

qsizetype Taxonomy::size() const
{
    return d->conditions.size();
}

QList<Condition> Taxonomy::conditions() const
{
    return d->conditions;
}

const Condition *Taxonomy::find(QStringView id) const
{
    const auto it = d->byId.constFind(id.toString());
    return it == d->byId.cend() ? nullptr : &d->conditions.at(*it);
}

QString Taxonomy::displayName(QStringView id) const
{
    const Condition *c = find(id);
    return c ? c->name : id.toString();
}

QStringList Taxonomy::pathOf(QStringView id) const
{
    const auto it = d->byId.constFind(id.toString());
    if (it == d->byId.cend())
        return {};
    QStringList path;
    for (qsizetype i = *it; i >= 0; i = d->parent.at(i))
        path.prepend(d->conditions.at(i).name);
    return path;
}

QStringList Taxonomy::childrenOf(QStringView id) const
{
    const QList<qsizetype> *indices = &d->roots;
    if (!id.isEmpty()) {
        const auto it = d->byId.constFind(id.toString());
        if (it == d->byId.cend())
            return {};
        indices = &d->children.at(*it);
    }
    QStringList ids;
    ids.reserve(indices->size());
    for (const qsizetype i : *indices)
        ids.append(d->conditions.at(i).id);
    return ids;
}

bool Taxonomy::isWithin(QStringView id, QStringView ancestorId) const
{
    const auto it = d->byId.constFind(id.toString());
    if (it == d->byId.cend())
        return false;
    for (qsizetype i = *it; i >= 0; i = d->parent.at(i)) {
        if (d->conditions.at(i).id == ancestorId)
            return true;
    }
    return false;
}

QList<Taxonomy::Match> Taxonomy::search(QStringView query, int limit) const
{
    Query q;
    q.text = fold(query);
    if (q.text.isEmpty() || limit == 0)
        return {};
    for (const QStringView word : QStringView(q.text).tokenize(u' '))
        q.words.append(word);

    struct Hit
    {
        int rank;
        qsizetype condition;
        qsizetype term;
    };
    std::vector<Hit> hits;
    const qsizetype n = d->conditions.size();
    for (qsizetype i = 0; i < n; ++i) {
        Hit best { 0, i, -1 };
        for (qsizetype t = d->termStart.at(i); t < d->termStart.at(i + 1); ++t) {
            const Data::Term &term = d->terms.at(t);
            const int rank = rankOf(term.folded, term.synonym < 0, q);
            if (rank > best.rank) {
                best.rank = rank;
                best.term = t;
            }
        }
        if (best.rank > 0)
            hits.push_back(best);
    }

    const auto better = [this](const Hit &a, const Hit &b) {
        if (a.rank != b.rank)
            return a.rank > b.rank;
        const bool aSynonym = d->terms.at(a.term).synonym >= 0;
        const bool bSynonym = d->terms.at(b.term).synonym >= 0;
        if (aSynonym != bSynonym)
            return bSynonym;
        return d->nameOrder.at(a.condition) < d->nameOrder.at(b.condition);
    };
    const size_t count = limit < 0 ? hits.size() : std::min(hits.size(), size_t(limit));
    std::partial_sort(hits.begin(), hits.begin() + qsizetype(count), hits.end(), better);

    QList<Match> matches;
    matches.reserve(qsizetype(count));
    for (size_t k = 0; k < count; ++k) {
        const Hit &h = hits[k];
        const Condition &c = d->conditions.at(h.condition);
        const qsizetype synonym = d->terms.at(h.term).synonym;
        matches.append({ c.id, synonym < 0 ? c.name : c.synonyms.at(synonym), h.rank });
    }
    return matches;
}

std::optional<QString> Taxonomy::idForName(QStringView name) const
{
    const QString folded = fold(name);
    if (folded.isEmpty())
        return std::nullopt;
    if (const auto it = d->byFoldedName.constFind(folded); it != d->byFoldedName.cend())
        return d->conditions.at(*it).id;
    if (const Condition *c = find(name.trimmed()))
        return c->id;
    if (const auto it = d->byFoldedSynonym.constFind(folded); it != d->byFoldedSynonym.cend())
        return d->conditions.at(*it).id;
    return std::nullopt;
}

QString Taxonomy::fold(QStringView text)
{
    // Plain ASCII needs no decomposition (the common case: every name is folded at load time).
    bool ascii = true;
    for (const QChar c : text) {
        if (c.unicode() >= 0x80) {
            ascii = false;
            break;
        }
    }
    const QString decomposed
        = ascii ? text.toString() : text.toString().normalized(QString::NormalizationForm_KD);

    QString out;
    out.reserve(decomposed.size());
    bool pendingSpace = false;
    const qsizetype n = decomposed.size();
    for (qsizetype i = 0; i < n; ++i) {
        char32_t c = decomposed.at(i).unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < n && decomposed.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(decomposed.at(i), decomposed.at(i + 1));
            ++i;
        }
        const QChar::Category category = QChar::category(c);
        if (category == QChar::Mark_NonSpacing || category == QChar::Mark_SpacingCombining
            || category == QChar::Mark_Enclosing || isApostrophe(c)) {
            continue;
        }
        if (!QChar::isLetterOrNumber(c)) {
            pendingSpace = true;
            continue;
        }
        if (pendingSpace && !out.isEmpty())
            out.append(u' ');
        pendingSpace = false;
        c = QChar::toLower(c);
        if (const char16_t *spelled = spelledOut(c))
            out.append(QStringView(spelled));
        else
            appendCodePoint(out, c);
    }
    return out;
}

} // namespace dl
