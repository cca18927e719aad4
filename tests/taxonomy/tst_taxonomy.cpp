// SPDX-License-Identifier: GPL-3.0-or-later
// Tests for core/taxonomy: the built-in taxonomy, CSV import and validation, type-ahead search and
// name mapping.
#include "taxonomy/Taxonomy.h"
#include "taxonomy/TaxonomyCsv.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using dl::Condition;
using dl::Taxonomy;
using dl::TaxonomyCsv;

namespace {

QStringList idsOf(const QList<Taxonomy::Match> &matches)
{
    QStringList ids;
    for (const Taxonomy::Match &m : matches)
        ids.append(m.id);
    return ids;
}

/// A generated taxonomy of \a groups groups with \a perGroup conditions each, every one with three
/// synonyms, for the speed test.
QList<Condition> generated(int groups, int perGroup)
{
    static const QStringList stems { u"derm"_s, u"kerat"_s, u"myc"_s, u"pap"_s, u"vesic"_s, u"pust"_s,
        u"nod"_s, u"plaq"_s, u"macul"_s, u"erythem"_s, u"squam"_s, u"lichen"_s, u"purpur"_s };
    QList<Condition> out;
    for (int g = 0; g < groups; ++g) {
        const QString group = u"group_%1"_s.arg(g);
        out.append({ group, u"Group %1 %2osis"_s.arg(g).arg(stems.at(g % stems.size())), {}, {} });
        for (int k = 0; k < perGroup; ++k) {
            const QString stem = stems.at((g * 7 + k) % stems.size());
            const QString other = stems.at((g + k * 3) % stems.size());
            out.append({ u"c_%1_%2"_s.arg(g).arg(k), u"%1atitis variant %2-%3"_s.arg(stem).arg(g).arg(k),
                { u"%1itis type %2"_s.arg(other).arg(k), u"Lay name %1 %2"_s.arg(g).arg(k),
                    u"%1%2 syndrome"_s.arg(stem, other) },
                group });
        }
    }
    return out;
}

} // namespace

class TestTaxonomy : public QObject
{
    Q_OBJECT

private slots:
    // The built-in taxonomy
    void builtinIsThreadSafe();
    void builtinLoadsCleanly();
    void builtinHasCondition_data();
    void builtinHasCondition();
    void builtinSpellings_data();
    void builtinSpellings();

    // Name mapping
    void idForName_data();
    void idForName();

    // Search
    void search_data();
    void search();
    void searchOrdersByRankThenName();
    void searchReturnsNothing_data();
    void searchReturnsNothing();
    void searchLimit();
    void searchOverALargeTaxonomy();
    void fold_data();
    void fold();

    // Tree
    void pathOf_data();
    void pathOf();
    void displayName();
    void childrenAndAncestors();

    // CSV import and validation
    void csvValid();
    void csvInvalid_data();
    void csvInvalid();
    void csvReportsEveryProblem();
    void csvWarnings();
    void fromConditionsNamesEntries();
    void fromFile();
    void roundTrip();
    void renameKeepsStoredIds();
};

// --- The built-in taxonomy ----------------------------------------------------------------------

void TestTaxonomy::builtinIsThreadSafe()
{
    // First use of builtin() from many threads at once: one instance, fully loaded.
    constexpr int kThreads = 8;
    std::vector<const Taxonomy *> seen(kThreads, nullptr);
    std::vector<qsizetype> sizes(kThreads, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([i, &seen, &sizes] {
            const Taxonomy &t = Taxonomy::builtin();
            seen[size_t(i)] = &t;
            sizes[size_t(i)] = t.size();
        });
    }
    for (std::thread &t : threads)
        t.join();
    for (int i = 0; i < kThreads; ++i) {
        QCOMPARE(seen[size_t(i)], &Taxonomy::builtin());
        QCOMPARE(sizes[size_t(i)], Taxonomy::builtin().size());
    }
    QVERIFY(Taxonomy::builtin().size() > 0);
}

void TestTaxonomy::builtinLoadsCleanly()
{
    QString error;
    QStringList warnings;
    const std::optional<Taxonomy> t = Taxonomy::fromFile(Taxonomy::builtinPath(), &error, &warnings);
    QVERIFY2(t, qPrintable(error));
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(u'\n')));

    const Taxonomy &builtin = Taxonomy::builtin();
    QCOMPARE(builtin.conditions(), t->conditions());
    QVERIFY2(builtin.size() >= 60 && builtin.size() <= 95, qPrintable(QString::number(builtin.size())));

    static const QRegularExpression idPattern(u"^[a-z0-9_]+$"_s);
    QSet<QString> ids;
    for (const Condition &c : builtin.conditions()) {
        QVERIFY2(idPattern.match(c.id).hasMatch(), qPrintable(c.id));
        QVERIFY2(!ids.contains(c.id), qPrintable(c.id));
        ids.insert(c.id);
        QVERIFY2(!c.name.isEmpty(), qPrintable(c.id));
        if (!c.parentId.isEmpty())
            QVERIFY2(builtin.find(c.parentId), qPrintable(c.id + u" -> "_s + c.parentId));
        // Every condition sits at most three levels below a root group.
        QVERIFY2(builtin.pathOf(c.id).size() <= 4, qPrintable(c.id));
    }
    QCOMPARE(builtin.find(u"eczema")->name, u"Eczema"_s);
}

void TestTaxonomy::builtinHasCondition_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("parentId");

    const QList<std::pair<const char *, const char *>> required {
        { "eczema", "dermatitis_eczema" },
        { "contact_dermatitis", "dermatitis_eczema" },
        { "allergic_contact_dermatitis", "contact_dermatitis" },
        { "irritant_contact_dermatitis", "contact_dermatitis" },
        { "seborrhoeic_dermatitis", "dermatitis_eczema" },
        { "psoriasis", "papulosquamous" },
        { "acne", "acne_rosacea" },
        { "rosacea", "acne_rosacea" },
        { "urticaria", "urticaria_reactions" },
        { "fungal_infection", "infections" },
        { "tinea", "fungal_infection" },
        { "tinea_corporis", "tinea" },
        { "tinea_cruris", "tinea" },
        { "tinea_pedis", "tinea" },
        { "tinea_capitis", "tinea" },
        { "tinea_versicolor", "fungal_infection" },
        { "candidiasis", "fungal_infection" },
        { "scabies", "infestations_bites" },
        { "impetigo", "bacterial_infection" },
        { "folliculitis", "bacterial_infection" },
        { "cellulitis", "bacterial_infection" },
        { "insect_bite", "infestations_bites" },
        { "herpes_zoster", "viral_infection" },
        { "herpes_simplex", "viral_infection" },
        { "varicella", "viral_infection" },
        { "molluscum_contagiosum", "viral_infection" },
        { "viral_warts", "viral_infection" },
        { "melanocytic_naevus", "benign_growths" },
        { "seborrhoeic_keratosis", "benign_growths" },
        { "actinic_keratosis", "skin_cancer" },
        { "basal_cell_carcinoma", "skin_cancer" },
        { "squamous_cell_carcinoma", "skin_cancer" },
        { "melanoma", "skin_cancer" },
        { "dermatofibroma", "benign_growths" },
        { "haemangioma", "benign_growths" },
        { "vitiligo", "pigmentary" },
        { "post_inflammatory_hyperpigmentation", "pigmentary" },
        { "melasma", "pigmentary" },
        { "pityriasis_rosea", "papulosquamous" },
        { "lichen_planus", "papulosquamous" },
        { "lichen_simplex_chronicus", "dermatitis_eczema" },
        { "prurigo_nodularis", "dermatitis_eczema" },
        { "drug_eruption", "urticaria_reactions" },
        { "pigmented_purpuric_eruption", "vascular" },
        { "keloid", "benign_growths" },
        { "alopecia_areata", "hair_nails" },
        { "intertrigo", "other" },
        { "miliaria", "other" },
        { "xerosis", "other" },
        { "abrasion", "injuries" },
        { "burn", "injuries" },
        { "other", "" },
        { "infections", "" },
    };
    for (const auto &[id, parent] : required)
        QTest::newRow(id) << QString::fromLatin1(id) << QString::fromLatin1(parent);
}

void TestTaxonomy::builtinHasCondition()
{
    QFETCH(QString, id);
    QFETCH(QString, parentId);
    const Condition *c = Taxonomy::builtin().find(id);
    QVERIFY2(c, qPrintable(id));
    QCOMPARE(c->id, id);
    QCOMPARE(c->parentId, parentId);
}

void TestTaxonomy::builtinSpellings_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("someSynonyms");

    QTest::newRow("naevus") << u"melanocytic_naevus"_s << u"Melanocytic naevus"_s
                            << QStringList { u"Mole"_s, u"Nevus"_s, u"Melanocytic nevus"_s };
    QTest::newRow("haemangioma") << u"haemangioma"_s << u"Haemangioma"_s << QStringList { u"Hemangioma"_s };
    QTest::newRow("seborrhoeic k") << u"seborrhoeic_keratosis"_s << u"Seborrhoeic keratosis"_s
                                   << QStringList { u"Seborrheic keratosis"_s, u"SK"_s };
    QTest::newRow("seborrhoeic d") << u"seborrhoeic_dermatitis"_s << u"Seborrhoeic dermatitis"_s
                                   << QStringList { u"Seborrheic dermatitis"_s };
    QTest::newRow("eczema") << u"eczema"_s << u"Eczema"_s
                            << QStringList { u"Atopic dermatitis"_s, u"Atopic eczema"_s, u"AD"_s };
    QTest::newRow("urticaria") << u"urticaria"_s << u"Urticaria"_s << QStringList { u"Hives"_s };
    QTest::newRow("tinea") << u"tinea"_s << u"Tinea"_s << QStringList { u"Ringworm"_s };
    QTest::newRow("zoster") << u"herpes_zoster"_s << u"Herpes zoster"_s << QStringList { u"Shingles"_s };
    QTest::newRow("insect bite") << u"insect_bite"_s << u"Insect bite"_s << QStringList { u"Bug bite"_s };
    QTest::newRow("fungal") << u"fungal_infection"_s << u"Fungal infection"_s << QStringList { u"Fungal"_s };
    QTest::newRow("other") << u"other"_s << u"Other skin conditions"_s << QStringList { u"Others"_s };
}

void TestTaxonomy::builtinSpellings()
{
    QFETCH(QString, id);
    QFETCH(QString, name);
    QFETCH(QStringList, someSynonyms);
    const Condition *c = Taxonomy::builtin().find(id);
    QVERIFY(c);
    QCOMPARE(c->name, name);
    for (const QString &s : someSynonyms)
        QVERIFY2(c->synonyms.contains(s), qPrintable(s));
}

// --- Name mapping -------------------------------------------------------------------------------

void TestTaxonomy::idForName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("id"); // empty: no match

    // PASSION classes
    QTest::newRow("PASSION Fungal") << u"Fungal"_s << u"fungal_infection"_s;
    QTest::newRow("PASSION Scabies") << u"Scabies"_s << u"scabies"_s;
    QTest::newRow("PASSION Eczema") << u"Eczema"_s << u"eczema"_s;
    QTest::newRow("PASSION Others") << u"Others"_s << u"other"_s;
    // Names used by the demo dataset (SCIN layout)
    QTest::newRow("demo Psoriasis") << u"Psoriasis"_s << u"psoriasis"_s;
    QTest::newRow("demo Acne") << u"Acne"_s << u"acne"_s;
    QTest::newRow("demo Urticaria") << u"Urticaria"_s << u"urticaria"_s;
    QTest::newRow("demo Tinea") << u"Tinea"_s << u"tinea"_s;
    QTest::newRow("demo Melanocytic naevus") << u"Melanocytic naevus"_s << u"melanocytic_naevus"_s;
    QTest::newRow("demo Seborrhoeic keratosis") << u"Seborrhoeic keratosis"_s << u"seborrhoeic_keratosis"_s;
    QTest::newRow("demo Impetigo") << u"Impetigo"_s << u"impetigo"_s;
    QTest::newRow("demo Insect bite") << u"Insect bite"_s << u"insect_bite"_s;
    // SCIN spellings (title case, American spelling, abbreviations)
    QTest::newRow("SCIN Insect Bite") << u"Insect Bite"_s << u"insect_bite"_s;
    QTest::newRow("SCIN Allergic Contact Dermatitis")
        << u"Allergic Contact Dermatitis"_s << u"allergic_contact_dermatitis"_s;
    QTest::newRow("SCIN Herpes Zoster") << u"Herpes Zoster"_s << u"herpes_zoster"_s;
    QTest::newRow("SCIN Drug Rash") << u"Drug Rash"_s << u"drug_eruption"_s;
    QTest::newRow("SCIN Melanocytic Nevi") << u"Melanocytic Nevi"_s << u"melanocytic_naevus"_s;
    QTest::newRow("SCIN SK/ISK") << u"SK/ISK"_s << u"seborrhoeic_keratosis"_s;
    QTest::newRow("SCIN Seborrheic Dermatitis") << u"Seborrheic Dermatitis"_s << u"seborrhoeic_dermatitis"_s;
    QTest::newRow("SCIN abrasion") << u"Abrasion, scrape, or scab"_s << u"abrasion"_s;
    QTest::newRow("SCIN PIH") << u"Post-Inflammatory hyperpigmentation"_s
                              << u"post_inflammatory_hyperpigmentation"_s;
    QTest::newRow("SCIN acute and chronic")
        << u"Acute and chronic dermatitis"_s << u"dermatitis_unspecified"_s;
    QTest::newRow("SCIN lichen planus") << u"Lichen planus/lichenoid eruption"_s << u"lichen_planus"_s;
    // Case, accents, white space, ids
    QTest::newRow("upper case") << u"ECZEMA"_s << u"eczema"_s;
    QTest::newRow("padded") << u"  tinea  "_s << u"tinea"_s;
    QTest::newRow("accents") << u"Séborrhéic Keratosis"_s << u"seborrhoeic_keratosis"_s;
    QTest::newRow("ligature") << u"Melanocytic nævus"_s << u"melanocytic_naevus"_s;
    QTest::newRow("lay synonym") << u"hives"_s << u"urticaria"_s;
    QTest::newRow("apostrophe") << u"athletes foot"_s << u"tinea_pedis"_s;
    QTest::newRow("id") << u"tinea_pedis"_s << u"tinea_pedis"_s;
    QTest::newRow("accented name") << u"cafe au lait macule"_s << u"cafe_au_lait_macule"_s;
    // No match: prefixes and unknown names are not guessed
    QTest::newRow("prefix") << u"Ecz"_s << QString();
    QTest::newRow("unknown") << u"Dragon scale disease"_s << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("blank") << u"  - "_s << QString();
}

void TestTaxonomy::idForName()
{
    QFETCH(QString, name);
    QFETCH(QString, id);
    const std::optional<QString> found = Taxonomy::builtin().idForName(name);
    if (id.isEmpty()) {
        QVERIFY2(!found, qPrintable(found.value_or(QString())));
    } else {
        QVERIFY2(found, qPrintable(name));
        QCOMPARE(*found, id);
    }
}

// --- Search -------------------------------------------------------------------------------------

void TestTaxonomy::search_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("firstId");
    QTest::addColumn<QString>("matchedText");
    QTest::addColumn<int>("score");

    QTest::newRow("ecz") << u"ecz"_s << u"eczema"_s << u"Eczema"_s << int(Taxonomy::NamePrefix);
    QTest::newRow("Eczema") << u"Eczema"_s << u"eczema"_s << u"Eczema"_s << int(Taxonomy::NameExact);
    QTest::newRow("hives") << u"hives"_s << u"urticaria"_s << u"Hives"_s << int(Taxonomy::SynonymExact);
    QTest::newRow("nevus") << u"nevus"_s << u"melanocytic_naevus"_s << u"Nevus"_s
                           << int(Taxonomy::SynonymExact);
    QTest::newRow("naevus") << u"naevus"_s << u"melanocytic_naevus"_s << u"Naevus"_s
                            << int(Taxonomy::SynonymExact);
    QTest::newRow("nævus") << u"nævus"_s << u"melanocytic_naevus"_s << u"Naevus"_s
                           << int(Taxonomy::SynonymExact);
    QTest::newRow("NAEVUS") << u"NAEVUS"_s << u"melanocytic_naevus"_s << u"Naevus"_s
                            << int(Taxonomy::SynonymExact);
    QTest::newRow("shing") << u"shing"_s << u"herpes_zoster"_s << u"Shingles"_s
                           << int(Taxonomy::SynonymPrefix);
    QTest::newRow("ringworm") << u"ringworm"_s << u"tinea"_s << u"Ringworm"_s << int(Taxonomy::SynonymExact);
    QTest::newRow("fungal") << u"fungal"_s << u"fungal_infection"_s << u"Fungal infection"_s
                            << int(Taxonomy::NamePrefix);
    QTest::newRow("Others") << u"Others"_s << u"other"_s << u"Others"_s << int(Taxonomy::SynonymExact);
    QTest::newRow("cafe (accent in name)")
        << u"cafe"_s << u"cafe_au_lait_macule"_s << u"Café-au-lait macule"_s << int(Taxonomy::NamePrefix);
    QTest::newRow("schonlein (accent in synonym)")
        << u"schonlein"_s << u"cutaneous_vasculitis"_s << u"Henoch-Schönlein purpura"_s
        << int(Taxonomy::WordPrefix);
    QTest::newRow("word of name") << u"pedis"_s << u"tinea_pedis"_s << u"Tinea pedis"_s
                                  << int(Taxonomy::WordPrefix);
    QTest::newRow("apostrophe") << u"athletes foot"_s << u"tinea_pedis"_s << u"Athlete's foot"_s
                                << int(Taxonomy::SynonymExact);
    QTest::newRow("punctuation") << u"post inflammatory hyper"_s << u"post_inflammatory_hyperpigmentation"_s
                                 << u"Post-inflammatory hyperpigmentation"_s << int(Taxonomy::NamePrefix);
    QTest::newRow("words in any order")
        << u"hyperpig infl"_s << u"post_inflammatory_hyperpigmentation"_s
        << u"Post-inflammatory hyperpigmentation"_s << int(Taxonomy::WordPrefix);
    QTest::newRow("substring") << u"ermatofib"_s << u"dermatofibroma"_s << u"Dermatofibroma"_s
                               << int(Taxonomy::Substring);
    QTest::newRow("American spelling") << u"seborrheic k"_s << u"seborrhoeic_keratosis"_s
                                       << u"Seborrheic keratosis"_s << int(Taxonomy::SynonymPrefix);
    QTest::newRow("abbreviation") << u"BCC"_s << u"basal_cell_carcinoma"_s << u"BCC"_s
                                  << int(Taxonomy::SynonymExact);
}

void TestTaxonomy::search()
{
    QFETCH(QString, query);
    QFETCH(QString, firstId);
    QFETCH(QString, matchedText);
    QFETCH(int, score);

    const QList<Taxonomy::Match> matches = Taxonomy::builtin().search(query);
    QVERIFY(!matches.isEmpty());
    QCOMPARE(matches.first().id, firstId);
    QCOMPARE(matches.first().matchedText, matchedText);
    QCOMPARE(matches.first().score, score);

    // Each condition at most once; scores never increase down the list.
    QSet<QString> ids;
    for (qsizetype i = 0; i < matches.size(); ++i) {
        QVERIFY2(!ids.contains(matches.at(i).id), qPrintable(matches.at(i).id));
        ids.insert(matches.at(i).id);
        if (i > 0)
            QVERIFY(matches.at(i - 1).score >= matches.at(i).score);
    }
}

void TestTaxonomy::searchOrdersByRankThenName()
{
    const Taxonomy &t = Taxonomy::builtin();

    // "tinea": the exact name, then the names that start with it (by name), then synonyms that start
    // with it (Tinea unguium, a synonym of onychomycosis).
    const QList<Taxonomy::Match> tinea = t.search(u"tinea");
    QCOMPARE(idsOf(tinea).mid(0, 7),
        (QStringList { u"tinea"_s, u"tinea_capitis"_s, u"tinea_corporis"_s, u"tinea_cruris"_s,
            u"tinea_pedis"_s, u"tinea_versicolor"_s, u"onychomycosis"_s }));
    QCOMPARE(tinea.at(0).score, int(Taxonomy::NameExact));
    for (int i = 1; i < 6; ++i)
        QCOMPARE(tinea.at(i).score, int(Taxonomy::NamePrefix));
    QCOMPARE(tinea.at(6).score, int(Taxonomy::SynonymPrefix));
    QCOMPARE(tinea.at(6).matchedText, u"Tinea unguium"_s);

    // "ringworm": synonym exact beats synonym prefix (Ringworm of the body, Ringworm of the scalp).
    const QStringList ringworm = idsOf(t.search(u"ringworm"));
    QCOMPARE(ringworm.mid(0, 3), (QStringList { u"tinea"_s, u"tinea_capitis"_s, u"tinea_corporis"_s }));
    QVERIFY(ringworm.contains(u"tinea_pedis"_s)); // "Foot ringworm": a word prefix
    QVERIFY(ringworm.indexOf(u"tinea_pedis"_s) > ringworm.indexOf(u"tinea_corporis"_s));

    // "ecz": Eczema (name prefix), the group by its synonym "Eczematous dermatoses", then the names
    // in which a later word starts with it, by name.
    const QList<Taxonomy::Match> ecz = t.search(u"ecz");
    QCOMPARE(idsOf(ecz).mid(0, 4),
        (QStringList { u"eczema"_s, u"dermatitis_eczema"_s, u"nummular_eczema"_s, u"dyshidrotic_eczema"_s }));
    QCOMPARE(ecz.at(1).score, int(Taxonomy::SynonymPrefix)); // "Eczematous dermatoses"
    QCOMPARE(ecz.at(1).matchedText, u"Eczematous dermatoses"_s);
    QCOMPARE(ecz.at(2).score, int(Taxonomy::WordPrefix));
    QCOMPARE(ecz.at(2).matchedText, u"Discoid eczema"_s);

    // A name match beats a synonym match of another condition: "dermatitis" finds the group by its
    // name before the condition that has "Dermatitis" as a synonym.
    const QList<Taxonomy::Match> dermatitis = t.search(u"dermatitis");
    QCOMPARE(dermatitis.at(0).id, u"dermatitis_eczema"_s);
    QCOMPARE(dermatitis.at(1).id, u"dermatitis_unspecified"_s);
    QCOMPARE(dermatitis.at(1).score, int(Taxonomy::NamePrefix));
}

void TestTaxonomy::searchReturnsNothing_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("empty") << QString();
    QTest::newRow("spaces") << u"   "_s;
    QTest::newRow("punctuation") << u"-/,"_s;
    QTest::newRow("apostrophe") << u"'"_s;
    QTest::newRow("unknown") << u"zzzz"_s;
    QTest::newRow("words not all present") << u"tinea zzz"_s;
}

void TestTaxonomy::searchReturnsNothing()
{
    QFETCH(QString, query);
    QCOMPARE(Taxonomy::builtin().search(query).size(), 0);
}

void TestTaxonomy::searchLimit()
{
    const Taxonomy &t = Taxonomy::builtin();
    const QList<Taxonomy::Match> all = t.search(u"a", -1);
    QVERIFY2(all.size() > 40, qPrintable(QString::number(all.size())));
    QCOMPARE(t.search(u"a").size(), 20);
    QCOMPARE(t.search(u"a", 5).size(), 5);
    QCOMPARE(t.search(u"a", 0).size(), 0);
    // The limited list is the head of the full list.
    QCOMPARE(idsOf(t.search(u"a", 5)), idsOf(all).mid(0, 5));
    QCOMPARE(Taxonomy().search(u"a").size(), 0);
}

void TestTaxonomy::searchOverALargeTaxonomy()
{
    QString error;
    const std::optional<Taxonomy> big = Taxonomy::fromConditions(generated(100, 20), &error);
    QVERIFY2(big, qPrintable(error));
    QCOMPARE(big->size(), 2100);

    const QStringList queries { u"d"_s, u"der"_s, u"kerat"_s, u"atitis var"_s, u"lay name 5"_s, u"syndrome"_s,
        u"group 42"_s, u"itis type 7"_s, u"xyz"_s, u"purpurmyc"_s };
    QCOMPARE(big->search(u"group 42"_s).value(0).id, u"group_42"_s);
    QCOMPARE(big->search(u"lay name 5 17"_s).value(0).id, u"c_5_17"_s);
    QCOMPARE(big->search(u"lay name 5 17"_s).value(0).score, int(Taxonomy::SynonymExact));

    // The best of several rounds, so that other processes on a busy machine do not decide the result.
    constexpr int kRounds = 7;
    qsizetype found = 0;
    double msPerQuery = 1e9;
    for (int round = 0; round < kRounds; ++round) {
        QElapsedTimer timer;
        timer.start();
        for (int repeat = 0; repeat < 5; ++repeat) {
            for (const QString &q : queries)
                found += big->search(q).size();
        }
        msPerQuery = std::min(msPerQuery, double(timer.nsecsElapsed()) / 1e6 / double(5 * queries.size()));
    }
    qInfo("search over %lld conditions: %.3f ms per query (a figure, never a pass mark: timing is for benchmarks)",
          qlonglong(big->size()), msPerQuery);
    QVERIFY(found > 0);
}

void TestTaxonomy::fold_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("folded");
    QTest::newRow("case") << u"Eczema"_s << u"eczema"_s;
    QTest::newRow("apostrophe") << u"Athlete's Foot"_s << u"athletes foot"_s;
    QTest::newRow("typographic apostrophe") << u"Athlete\u2019s foot"_s << u"athletes foot"_s;
    QTest::newRow("hyphens") << u"Café-au-lait"_s << u"cafe au lait"_s;
    QTest::newRow("ligature ae") << u"Nævus"_s << u"naevus"_s;
    QTest::newRow("oe and sz") << u"Œdema Straße"_s << u"oedema strasse"_s;
    QTest::newRow("umlaut") << u"Schönlein"_s << u"schonlein"_s;
    QTest::newRow("punctuation runs") << u"  SK / ISK -- (x) "_s << u"sk isk x"_s;
    QTest::newRow("digits") << u"Type 2"_s << u"type 2"_s;
    QTest::newRow("compatibility") << u"\uFB01brosis"_s << u"fibrosis"_s; // "fi" ligature
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("no letters") << u" -/ "_s << QString();
}

void TestTaxonomy::fold()
{
    QFETCH(QString, text);
    QFETCH(QString, folded);
    QCOMPARE(Taxonomy::fold(text), folded);
}

// --- Tree ---------------------------------------------------------------------------------------

void TestTaxonomy::pathOf_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QStringList>("path");
    QTest::newRow("leaf") << u"tinea_pedis"_s
                          << QStringList { u"Infections"_s, u"Fungal infection"_s, u"Tinea"_s,
                                 u"Tinea pedis"_s };
    QTest::newRow("middle") << u"allergic_contact_dermatitis"_s
                            << QStringList { u"Dermatitis and eczema"_s, u"Contact dermatitis"_s,
                                   u"Allergic contact dermatitis"_s };
    QTest::newRow("root") << u"infections"_s << QStringList { u"Infections"_s };
    QTest::newRow("unknown") << u"no_such_condition"_s << QStringList();
    QTest::newRow("empty") << QString() << QStringList();
}

void TestTaxonomy::pathOf()
{
    QFETCH(QString, id);
    QFETCH(QStringList, path);
    QCOMPARE(Taxonomy::builtin().pathOf(id), path);
}

void TestTaxonomy::displayName()
{
    const Taxonomy &t = Taxonomy::builtin();
    QCOMPARE(t.displayName(u"melanocytic_naevus"), u"Melanocytic naevus"_s);
    QCOMPARE(t.displayName(u"retired_condition"), u"retired_condition"_s);
    QCOMPARE(t.displayName(u""), QString());
    QVERIFY(!t.find(u"retired_condition"));
    QVERIFY(!t.find(u"Eczema")); // ids are case-sensitive; names are not ids
    QVERIFY(t.contains(u"eczema"));
}

void TestTaxonomy::childrenAndAncestors()
{
    const Taxonomy &t = Taxonomy::builtin();
    QCOMPARE(t.childrenOf(u"tinea"),
        (QStringList { u"tinea_corporis"_s, u"tinea_cruris"_s, u"tinea_pedis"_s, u"tinea_capitis"_s }));
    QCOMPARE(t.childrenOf(u"eczema"), QStringList());
    QCOMPARE(t.childrenOf(u"no_such_condition"), QStringList());

    const QStringList roots = t.childrenOf(u"");
    QCOMPARE(roots.first(), u"dermatitis_eczema"_s);
    QVERIFY(roots.contains(u"infections"_s));
    QVERIFY(roots.contains(u"other"_s));
    QVERIFY(!roots.contains(u"eczema"_s));
    for (const QString &id : roots)
        QVERIFY(t.find(id)->parentId.isEmpty());

    // Every condition is reachable from the roots exactly once.
    qsizetype reached = 0;
    QStringList pending = roots;
    while (!pending.isEmpty()) {
        const QString id = pending.takeFirst();
        ++reached;
        pending.append(t.childrenOf(id));
    }
    QCOMPARE(reached, t.size());

    QVERIFY(t.isWithin(u"tinea_pedis", u"fungal_infection"));
    QVERIFY(t.isWithin(u"tinea_pedis", u"tinea_pedis"));
    QVERIFY(t.isWithin(u"tinea_pedis", u"infections"));
    QVERIFY(!t.isWithin(u"tinea_pedis", u"bacterial_infection"));
    QVERIFY(!t.isWithin(u"no_such_condition", u"infections"));
}

// --- CSV import and validation ------------------------------------------------------------------

void TestTaxonomy::csvValid()
{
    // Columns in another order, an extra column, quoted fields, a parent defined later, white space,
    // empty synonyms and a synonym that repeats the name or another synonym once folded.
    const QByteArray csv
        = "parent,name,id,notes,synonyms\r\n"
          "fungi,Tinea pedis,tinea_pedis,x,\"Athlete's foot| Foot ringworm ||\"\r\n"
          ",  Fungal   infection ,fungi,,\"Fungal|FUNGAL|fungal infection|Mycosis, superficial\"\r\n"
          "\r\n"
          "fungi,Nævus-like tinea,naevus_like,,Naevus like tinea|NAEVUS-LIKE TINEA\r\n"_ba;
    QString error;
    QStringList warnings;
    const std::optional<Taxonomy> t = Taxonomy::fromCsv(csv, &error, &warnings, u"my.csv"_s);
    QVERIFY2(t, qPrintable(error));
    QCOMPARE(warnings, QStringList { u"my.csv: column \"notes\" is not used and was ignored"_s });

    const QList<Condition> expected {
        { u"tinea_pedis"_s, u"Tinea pedis"_s, { u"Athlete's foot"_s, u"Foot ringworm"_s }, u"fungi"_s },
        { u"fungi"_s, u"Fungal infection"_s, { u"Fungal"_s, u"Mycosis, superficial"_s }, QString() },
        { u"naevus_like"_s, u"Nævus-like tinea"_s, {}, u"fungi"_s },
    };
    QCOMPARE(t->conditions(), expected);
    QCOMPARE(t->pathOf(u"tinea_pedis"), (QStringList { u"Fungal infection"_s, u"Tinea pedis"_s }));
    QCOMPARE(t->idForName(u"mycosis superficial").value_or(QString()), u"fungi"_s);
    QCOMPARE(t->search(u"naevus").value(0).id, u"naevus_like"_s);

    // Only id and name are required.
    const std::optional<Taxonomy> minimal = Taxonomy::fromCsv("id,name\na,Alpha\nb,Beta\n"_ba, &error);
    QVERIFY2(minimal, qPrintable(error));
    QCOMPARE(minimal->size(), 2);
    QCOMPARE(minimal->childrenOf(u""), (QStringList { u"a"_s, u"b"_s }));
}

void TestTaxonomy::csvInvalid_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QStringList>("expected"); // fragments the error message must contain

    QTest::newRow("missing id column")
        << "name,synonyms\nEczema,AD\n"_ba << QStringList { u"t.csv: missing required column(s): id"_s };
    QTest::newRow("missing id and name")
        << "ident,label\neczema,Eczema\n"_ba << QStringList { u"missing required column(s): id, name"_s };
    QTest::newRow("duplicate id") << "id,name\na,Alpha\nb,Beta\na,Gamma\n"_ba
                                  << QStringList {
                                         u"t.csv: line 4: duplicate id \"a\" (first used on line 2)"_s
                                     };
    QTest::newRow("duplicate id after quoted line break")
        << "id,name,synonyms\na,Alpha,\"x\ny\"\na,Beta,\n"_ba
        << QStringList { u"t.csv: line 4: duplicate id \"a\" (first used on line 2)"_s };
    QTest::newRow("unknown parent") << "id,name,parent\na,Alpha,\nb,Beta,nope\n"_ba
                                    << QStringList {
                                           u"t.csv: line 3: parent \"nope\" of \"b\" is not a condition id"_s
                                       };
    QTest::newRow("cycle") << "id,name,parent\na,Alpha,c\nb,Beta,a\nc,Gamma,b\nd,Delta,a\n"_ba
                           << QStringList { u"t.csv: line 2: parents form a cycle: a -> c -> b -> a"_s };
    QTest::newRow("self parent") << "id,name,parent\nroot,Root,\na,Alpha,a\n"_ba
                                 << QStringList { u"line 3: parents form a cycle: a -> a"_s };
    QTest::newRow("upper-case id")
        << "id,name\nEczema,Eczema\n"_ba
        << QStringList { u"line 2: id \"Eczema\" may only contain lowercase letters a-z, digits and '_'"_s };
    QTest::newRow("hyphen in id") << "id,name\ntinea-pedis,Tinea pedis\n"_ba
                                  << QStringList { u"line 2: id \"tinea-pedis\""_s };
    QTest::newRow("space in id") << "id,name\ntinea pedis,Tinea pedis\n"_ba
                                 << QStringList { u"line 2: id \"tinea pedis\""_s };
    QTest::newRow("accent in id") << "id,name\nnævus,Naevus\n"_ba
                                  << QStringList { u"line 2: id \"nævus\""_s };
    QTest::newRow("empty id") << "id,name\n,Alpha\n"_ba << QStringList { u"line 2: the id is empty"_s };
    QTest::newRow("empty name") << "id,name\na,Alpha\nb,  \n"_ba
                                << QStringList { u"line 3: condition \"b\" has no name"_s };
    QTest::newRow("same name, other case and accents")
        << "id,name\na,Eczema\nb,ÉCZEMA\n"_ba
        << QStringList { u"line 3: name \"ÉCZEMA\" is already the name of \"a\" (line 2)"_s };
    QTest::newRow("synonym without letters")
        << "id,name,synonyms\na,Alpha,--|ok\n"_ba
        << QStringList { u"line 2: synonym \"--\" has no letters or digits"_s };
    QTest::newRow("header only") << "id,name,synonyms,parent\n"_ba
                                 << QStringList { u"t.csv: the file has a header but no conditions"_s };
    QTest::newRow("empty file") << QByteArray() << QStringList { u"t.csv: the file is empty"_s };
    QTest::newRow("unclosed quote") << "id,name\na,\"Alpha\n"_ba
                                    << QStringList { u"t.csv: line 2: a quoted field is not closed"_s };
    QTest::newRow("too many fields") << "id,name\na,Alpha,extra\n"_ba << QStringList { u"t.csv: line 2"_s };
}

void TestTaxonomy::csvInvalid()
{
    QFETCH(QByteArray, csv);
    QFETCH(QStringList, expected);
    QString error;
    const std::optional<Taxonomy> t = Taxonomy::fromCsv(csv, &error, nullptr, u"t.csv"_s);
    QVERIFY(!t);
    for (const QString &fragment : expected)
        QVERIFY2(error.contains(fragment), qPrintable(u"expected \""_s + fragment + u"\" in: "_s + error));
}

void TestTaxonomy::csvReportsEveryProblem()
{
    const QByteArray csv = "id,name,parent\n"
                           "a,Alpha,\n"
                           "B,Beta,a\n"
                           "c,Gamma,zzz\n"
                           "a,Delta,\n"_ba;
    QString error;
    QVERIFY(!Taxonomy::fromCsv(csv, &error));
    const QStringList lines = error.split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines.at(0).startsWith(u"taxonomy CSV: line 3: id \"B\""_s), qPrintable(error));
    QVERIFY2(lines.at(1).startsWith(u"taxonomy CSV: line 5: duplicate id \"a\""_s), qPrintable(error));
    QVERIFY2(lines.at(2).startsWith(u"taxonomy CSV: line 4: parent \"zzz\""_s), qPrintable(error));

    // Long lists are cut short.
    QByteArray many = "id,name\n"_ba;
    for (int i = 0; i < 80; ++i)
        many += "X" + QByteArray::number(i) + ",Name " + QByteArray::number(i) + "\n";
    QVERIFY(!Taxonomy::fromCsv(many, &error));
    QCOMPARE(error.split(u'\n').size(), 51);
    QVERIFY2(error.endsWith(u"... and 30 more problem(s)"_s), qPrintable(error.right(60)));
}

void TestTaxonomy::csvWarnings()
{
    // Synonym "Dermatitis" of c is the name of d; "Warts" is a synonym of both w1 and w2.
    const QByteArray csv = "id,name,synonyms,parent\n"
                           "c,Contact dermatitis,Dermatitis|CD,\n"
                           "d,Dermatitis,,\n"
                           "w1,Viral warts,Warts,\n"
                           "w2,Plantar warts,warts|Verruca,\n"_ba;
    QString error;
    QStringList warnings;
    const std::optional<Taxonomy> t = Taxonomy::fromCsv(csv, &error, &warnings);
    QVERIFY2(t, qPrintable(error));
    QCOMPARE(warnings.size(), 2);
    QVERIFY2(warnings.at(0).startsWith(
                 u"taxonomy CSV: line 2: synonym \"Dermatitis\" of \"c\" is the name of \"d\" (line 3)"_s),
        qPrintable(warnings.at(0)));
    QVERIFY2(warnings.at(1).startsWith(
                 u"taxonomy CSV: line 5: synonym \"warts\" of \"w2\" is also a synonym of \"w1\" (line 4)"_s),
        qPrintable(warnings.at(1)));

    // The documented resolution: names beat synonyms, the first synonym in file order wins.
    QCOMPARE(t->idForName(u"dermatitis").value_or(QString()), u"d"_s);
    QCOMPARE(t->idForName(u"WARTS").value_or(QString()), u"w1"_s);
    QCOMPARE(t->idForName(u"verruca").value_or(QString()), u"w2"_s);
    const QList<Taxonomy::Match> m = t->search(u"dermatitis");
    QCOMPARE(idsOf(m), (QStringList { u"d"_s, u"c"_s }));
    QCOMPARE(m.at(0).score, int(Taxonomy::NameExact));
    QCOMPARE(m.at(1).score, int(Taxonomy::SynonymExact)); // better than its word-prefix name match
    QCOMPARE(m.at(1).matchedText, u"Dermatitis"_s);
}

void TestTaxonomy::fromConditionsNamesEntries()
{
    QString error;
    QStringList warnings;
    QVERIFY(!Taxonomy::fromConditions(
        { { u"a"_s, u"Alpha"_s, {}, {} }, { u"a"_s, u"Beta"_s, {}, u"b"_s } }, &error, &warnings));
    QVERIFY2(
        error.contains(u"entry 2 (a): duplicate id \"a\" (first used on entry 1 (a))"_s), qPrintable(error));
    QVERIFY2(
        error.contains(u"entry 2 (a): parent \"b\" of \"a\" is not a condition id"_s), qPrintable(error));

    QVERIFY(!Taxonomy::fromConditions({ { u"a"_s, u"Alpha"_s, { u"x|y"_s }, {} } }, &error));
    QVERIFY2(error.contains(u"entry 1 (a): synonym \"x|y\" contains '|'"_s), qPrintable(error));

    const std::optional<Taxonomy> empty = Taxonomy::fromConditions({}, &error);
    QVERIFY(empty);
    QVERIFY(empty->isEmpty());
    QVERIFY(Taxonomy().isEmpty());
    QCOMPARE(Taxonomy().displayName(u"x"), u"x"_s);
}

void TestTaxonomy::fromFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"taxonomy.csv"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\xEF\xBB\xBFid,name,synonyms,parent\ng,Group,,\nx,Ex,Why|Zed,g\n"); // with a BOM
    }
    QString error;
    const std::optional<Taxonomy> t = Taxonomy::fromFile(path, &error);
    QVERIFY2(t, qPrintable(error));
    QCOMPARE(t->size(), 2);
    QCOMPARE(t->find(u"x")->synonyms, (QStringList { u"Why"_s, u"Zed"_s }));

    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("id,name\nx,Ex\nx,Ex again\n");
    }
    QVERIFY(!Taxonomy::fromFile(path, &error));
    QVERIFY2(error.startsWith(path + u": line 3: duplicate id"_s), qPrintable(error));

    const QString missing = dir.filePath(u"missing.csv"_s);
    QVERIFY(!Taxonomy::fromFile(missing, &error));
    QVERIFY2(error.startsWith(missing + u": cannot open the file"_s), qPrintable(error));
}

void TestTaxonomy::roundTrip()
{
    const Taxonomy &builtin = Taxonomy::builtin();
    QString error;
    QStringList warnings;
    const std::optional<Taxonomy> again = Taxonomy::fromCsv(builtin.toCsv(), &error, &warnings);
    QVERIFY2(again, qPrintable(error));
    QVERIFY(warnings.isEmpty());
    QCOMPARE(again->conditions(), builtin.conditions());

    QFile resource(Taxonomy::builtinPath());
    QVERIFY(resource.open(QIODevice::ReadOnly));
    QCOMPARE(builtin.toCsv(), resource.readAll()); // the built-in file is in canonical form

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"out.csv"_s);
    QVERIFY2(TaxonomyCsv::writeFile(path, builtin.conditions(), &error), qPrintable(error));
    const std::optional<Taxonomy> fromDisk = Taxonomy::fromFile(path, &error);
    QVERIFY2(fromDisk, qPrintable(error));
    QCOMPARE(fromDisk->conditions(), builtin.conditions());
}

void TestTaxonomy::renameKeepsStoredIds()
{
    // A stored label is an id; after a rename it shows the new name, and the old name still maps to it
    // when the admin keeps it as a synonym.
    const QString storedLabel = u"tinea_pedis"_s;
    QString error;
    const std::optional<Taxonomy> v1
        = Taxonomy::fromCsv("id,name,synonyms\ntinea_pedis,Tinea pedis,\n"_ba, &error);
    const std::optional<Taxonomy> v2
        = Taxonomy::fromCsv("id,name,synonyms\ntinea_pedis,Athlete's foot,Tinea pedis\n"_ba, &error);
    QVERIFY(v1 && v2);
    QCOMPARE(v1->displayName(storedLabel), u"Tinea pedis"_s);
    QCOMPARE(v2->displayName(storedLabel), u"Athlete's foot"_s);
    QCOMPARE(v2->idForName(u"Tinea pedis").value_or(QString()), storedLabel);
}

QTEST_GUILESS_MAIN(TestTaxonomy)
#include "tst_taxonomy.moc"
