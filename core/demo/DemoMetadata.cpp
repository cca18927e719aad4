// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/DemoMetadata.h"

#include <QHash>
#include <QMap>
#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QStringList words(QLatin1StringView text, QChar separator = u' ')
{
    return QString(text).split(separator, Qt::SkipEmptyParts);
}

const QStringList &raceColumns()
{
    static const QStringList columns = words(
        "american_indian_or_alaska_native asian black_or_african_american hispanic_latino_or_spanish_origin "
        "middle_eastern_or_north_african native_hawaiian_or_pacific_islander white other_race"_L1);
    return columns;
}

const QStringList kTextures = words("raised_or_bumpy flat rough_or_flaky fluid_filled"_L1);
const QStringList kBodyParts = words("head_or_neck arm palm back_of_hand torso_front torso_back "
                                     "genitalia_or_groin buttocks leg foot_top_or_side foot_sole other"_L1);
const QStringList kSymptoms = words(
    "bothersome_appearance bleeding increasing_size darkening itching burning pain no_relevant_experience"_L1);
const QStringList kOtherSymptoms
    = words("fever chills fatigue joint_pain mouth_sores shortness_of_breath no_relevant_symptoms"_L1);
const QStringList kAgeGroups = words("AGE_18_TO_29 AGE_30_TO_39 AGE_40_TO_49 AGE_50_TO_59 AGE_60_TO_69 "
                                     "AGE_70_TO_79 AGE_80_OR_ABOVE"_L1);

// What people with each demo condition tend to report, and what dermatologists confuse it with.
struct Profile
{
    QLatin1StringView condition;
    QLatin1StringView textures, optionalTextures, bodyParts, likelySymptoms, possibleSymptoms;
    QLatin1StringView otherSymptom; // reported now and then besides fatigue
    QLatin1StringView category, durations;
    QLatin1StringView confusions; // '|'-separated condition names
};

const Profile kProfiles[] = {
    { "Eczema"_L1, "rough_or_flaky"_L1, "flat raised_or_bumpy"_L1,
        "arm back_of_hand leg head_or_neck torso_front"_L1, "itching"_L1,
        "bothersome_appearance bleeding burning"_L1, ""_L1, "RASH"_L1,
        "ONE_TO_FOUR_WEEKS ONE_TO_THREE_MONTHS THREE_TO_TWELVE_MONTHS MORE_THAN_ONE_YEAR"_L1,
        "Psoriasis|Tinea|Scabies|Impetigo"_L1 },
    { "Psoriasis"_L1, "raised_or_bumpy rough_or_flaky"_L1, ""_L1,
        "arm leg torso_back head_or_neck buttocks"_L1, "bothersome_appearance itching"_L1,
        "bleeding increasing_size"_L1, "joint_pain"_L1, "RASH"_L1,
        "THREE_TO_TWELVE_MONTHS MORE_THAN_ONE_YEAR MORE_THAN_FIVE_YEARS"_L1, "Eczema|Tinea"_L1 },
    { "Acne"_L1, "raised_or_bumpy"_L1, "fluid_filled"_L1, "head_or_neck torso_back torso_front"_L1,
        "bothersome_appearance"_L1, "pain itching"_L1, ""_L1, "ACNE"_L1,
        "ONE_TO_THREE_MONTHS THREE_TO_TWELVE_MONTHS MORE_THAN_ONE_YEAR"_L1, "Insect bite|Impetigo"_L1 },
    { "Urticaria"_L1, "raised_or_bumpy"_L1, "flat"_L1, "arm torso_front torso_back leg"_L1, "itching"_L1,
        "burning bothersome_appearance"_L1, ""_L1, "RASH"_L1,
        "ONE_DAY LESS_THAN_ONE_WEEK ONE_TO_FOUR_WEEKS"_L1, "Insect bite|Eczema"_L1 },
    { "Tinea"_L1, "rough_or_flaky"_L1, "raised_or_bumpy flat"_L1,
        "torso_front arm leg genitalia_or_groin foot_top_or_side"_L1, "itching"_L1,
        "increasing_size bothersome_appearance"_L1, ""_L1, "RASH"_L1,
        "ONE_TO_FOUR_WEEKS ONE_TO_THREE_MONTHS THREE_TO_TWELVE_MONTHS"_L1, "Eczema|Psoriasis"_L1 },
    { "Melanocytic naevus"_L1, "flat"_L1, "raised_or_bumpy"_L1,
        "torso_back torso_front arm leg head_or_neck"_L1, ""_L1,
        "bothersome_appearance darkening increasing_size"_L1, ""_L1, "GROWTH_OR_MOLE"_L1,
        "MORE_THAN_ONE_YEAR MORE_THAN_FIVE_YEARS UNKNOWN"_L1, "Seborrhoeic keratosis"_L1 },
    { "Seborrhoeic keratosis"_L1, "raised_or_bumpy rough_or_flaky"_L1, ""_L1,
        "torso_back torso_front head_or_neck"_L1, "bothersome_appearance"_L1,
        "darkening itching increasing_size"_L1, ""_L1, "GROWTH_OR_MOLE"_L1,
        "THREE_TO_TWELVE_MONTHS MORE_THAN_ONE_YEAR MORE_THAN_FIVE_YEARS"_L1, "Melanocytic naevus"_L1 },
    { "Impetigo"_L1, "rough_or_flaky"_L1, "fluid_filled raised_or_bumpy"_L1,
        "head_or_neck arm leg back_of_hand"_L1, "bothersome_appearance"_L1,
        "itching pain bleeding burning"_L1, "fever"_L1, "RASH"_L1, "LESS_THAN_ONE_WEEK ONE_TO_FOUR_WEEKS"_L1,
        "Eczema|Tinea|Insect bite"_L1 },
    { "Insect bite"_L1, "raised_or_bumpy"_L1, "fluid_filled"_L1,
        "arm leg foot_top_or_side back_of_hand torso_front"_L1, "itching"_L1, "pain burning"_L1, ""_L1,
        "RASH"_L1, "ONE_DAY LESS_THAN_ONE_WEEK"_L1, "Urticaria|Scabies|Acne"_L1 },
    { "Scabies"_L1, "raised_or_bumpy"_L1, "rough_or_flaky"_L1,
        "back_of_hand arm genitalia_or_groin torso_front buttocks palm"_L1, "itching"_L1,
        "bothersome_appearance bleeding"_L1, ""_L1, "RASH"_L1, "ONE_TO_FOUR_WEEKS ONE_TO_THREE_MONTHS"_L1,
        "Insect bite|Eczema"_L1 },
};

const Profile &profileFor(const QString &condition)
{
    for (const Profile &profile : kProfiles) {
        if (condition.compare(profile.condition, Qt::CaseInsensitive) == 0)
            return profile;
    }
    return kProfiles[0];
}

bool chance(QRandomGenerator &random, double p)
{
    return random.generateDouble() < p;
}

int range(QRandomGenerator &random, int lo, int hi) // inclusive
{
    return lo + int(random.bounded(quint32(hi - lo + 1)));
}

template <typename List> auto pick(QRandomGenerator &random, const List &items)
{
    return items.at(range(random, 0, int(items.size()) - 1));
}

// Truth plus occasional disagreement by one step, clamped.
int near(QRandomGenerator &random, int truth, double disagreement, int lo, int hi)
{
    if (!chance(random, disagreement))
        return truth;
    const int step = chance(random, 0.5) ? 1 : -1;
    const int value = truth + step;
    return value < lo || value > hi ? truth - step : value;
}

QString fst(int type)
{
    return u"FST"_s + QString::number(type);
}

QString pythonBool(bool value)
{
    return value ? u"True"_s : u"False"_s;
}

// One dermatologist's ranked differential for a case.
DemoMetadata::Differential differential(QRandomGenerator &random, const Profile &profile)
{
    const QStringList confusions = words(profile.confusions, u'|');
    DemoMetadata::Differential result;
    const bool right = chance(random, 0.82);
    const QString first = right ? QString(profile.condition) : pick(random, confusions);
    const int topConfidence = right ? range(random, 3, 5) : range(random, 2, 4);
    result.append({ first, topConfidence });
    QStringList candidates = confusions;
    candidates.append(QString(profile.condition));
    candidates.removeAll(first);
    const int extra = std::min(int(candidates.size()), chance(random, 0.35) ? 0 : range(random, 1, 2));
    for (int i = 0; i < extra; ++i) {
        const QString name = candidates.takeAt(range(random, 0, int(candidates.size()) - 1));
        result.append({ name, range(random, 1, std::max(1, topConfidence - 1)) });
    }
    return result;
}

} // namespace

QStringList DemoMetadata::caseColumns()
{
    QStringList columns { u"case_id"_s, u"source"_s, u"release"_s, u"year"_s, u"age_group"_s,
        u"sex_at_birth"_s, u"fitzpatrick_skin_type"_s };
    for (const QString &race : raceColumns())
        columns.append(u"race_ethnicity_"_s + race);
    columns.append(u"race_ethnicity_prefer_not_to_answer"_s);
    columns.append(u"race_ethnicity_two_or_more_after_mitigation"_s);
    for (const QString &texture : kTextures)
        columns.append(u"textures_"_s + texture);
    for (const QString &part : kBodyParts)
        columns.append(u"body_parts_"_s + part);
    for (const QString &symptom : kSymptoms)
        columns.append(u"condition_symptoms_"_s + symptom);
    for (const QString &symptom : kOtherSymptoms)
        columns.append(u"other_symptoms_"_s + symptom);
    columns.append({ u"related_category"_s, u"condition_duration"_s });
    for (int i = 1; i <= 3; ++i)
        columns.append(u"image_%1_path"_s.arg(i));
    for (int i = 1; i <= 3; ++i)
        columns.append(u"image_%1_shot_type"_s.arg(i));
    columns.append(u"combined_race"_s);
    return columns;
}

QStringList DemoMetadata::labelColumns()
{
    QStringList columns { u"case_id"_s };
    for (int i = 1; i <= 3; ++i)
        columns.append(u"dermatologist_gradable_for_skin_condition_%1"_s.arg(i));
    columns.append({ u"dermatologist_skin_condition_on_label_name"_s,
        u"dermatologist_skin_condition_confidence"_s, u"weighted_skin_condition_label"_s });
    for (int i = 1; i <= 3; ++i)
        columns.append(u"dermatologist_gradable_for_fitzpatrick_skin_type_%1"_s.arg(i));
    for (int i = 1; i <= 3; ++i)
        columns.append(u"dermatologist_fitzpatrick_skin_type_label_%1"_s.arg(i));
    columns.append({ u"gradable_for_monk_skin_tone_india"_s, u"gradable_for_monk_skin_tone_us"_s,
        u"monk_skin_tone_label_india"_s, u"monk_skin_tone_label_us"_s });
    return columns;
}

QStringList DemoMetadata::caseRow(const DemoCase &demoCase, QRandomGenerator &random)
{
    const Profile &profile = profileFor(demoCase.condition);
    const QString yes = u"YES"_s;
    QHash<QString, QString> v;
    v[u"case_id"_s] = demoCase.caseId;
    v[u"source"_s] = u"SYNTHETIC_DEMO"_s;
    v[u"release"_s] = u"DEMO_V1"_s;
    v[u"year"_s] = QString::number(range(random, 2024, 2026));
    v[u"age_group"_s] = chance(random, 0.06) ? u"AGE_UNKNOWN"_s : pick(random, kAgeGroups);
    const double sex = random.generateDouble();
    v[u"sex_at_birth"_s] = sex < 0.47 ? u"FEMALE"_s : sex < 0.94 ? u"MALE"_s : u"OTHER_OR_UNSPECIFIED"_s;
    v[u"fitzpatrick_skin_type"_s]
        = chance(random, 0.08) ? u"NONE_IDENTIFIED"_s : fst(near(random, demoCase.fitzpatrick, 0.3, 1, 6));

    const double raceDraw = random.generateDouble();
    if (raceDraw < 0.05) {
        v[u"race_ethnicity_prefer_not_to_answer"_s] = yes;
        v[u"combined_race"_s] = u"PREFER_NOT_TO_ANSWER"_s;
    } else {
        QStringList races = raceColumns();
        const int count = raceDraw < 0.88 ? 1 : 2;
        for (int i = 0; i < count; ++i)
            v[u"race_ethnicity_"_s + races.takeAt(range(random, 0, int(races.size()) - 1))] = yes;
        if (count > 1) {
            v[u"race_ethnicity_two_or_more_after_mitigation"_s] = yes;
            v[u"combined_race"_s] = u"TWO_OR_MORE_AFTER_MITIGATION"_s;
        } else {
            for (const QString &race : raceColumns()) {
                if (v.contains(u"race_ethnicity_"_s + race))
                    v[u"combined_race"_s] = race.toUpper();
            }
        }
    }

    for (const QString &texture : words(profile.textures))
        v[u"textures_"_s + texture] = yes;
    for (const QString &texture : words(profile.optionalTextures)) {
        if (chance(random, 0.4))
            v[u"textures_"_s + texture] = yes;
    }
    QStringList parts = words(profile.bodyParts);
    const int partCount = chance(random, 0.3) ? 2 : 1;
    for (int i = 0; i < partCount && !parts.isEmpty(); ++i)
        v[u"body_parts_"_s + parts.takeAt(range(random, 0, int(parts.size()) - 1))] = yes;

    auto mark = [&](const QString &column, double p) {
        if (!chance(random, p))
            return false;
        v[column] = yes;
        return true;
    };
    bool anySymptom = false;
    for (const QString &symptom : words(profile.likelySymptoms))
        anySymptom = mark(u"condition_symptoms_"_s + symptom, 0.8) || anySymptom;
    for (const QString &symptom : words(profile.possibleSymptoms))
        anySymptom = mark(u"condition_symptoms_"_s + symptom, 0.25) || anySymptom;
    if (!anySymptom)
        v[u"condition_symptoms_no_relevant_experience"_s] = yes;
    bool anyOther = false;
    if (!profile.otherSymptom.isEmpty())
        anyOther = mark(u"other_symptoms_"_s + QString(profile.otherSymptom), 0.15);
    anyOther = mark(u"other_symptoms_fatigue"_s, 0.05) || anyOther;
    if (!anyOther)
        v[u"other_symptoms_no_relevant_symptoms"_s] = yes;

    v[u"related_category"_s] = QString(profile.category);
    v[u"condition_duration"_s] = chance(random, 0.05) ? u"UNKNOWN"_s : pick(random, words(profile.durations));
    for (qsizetype i = 0; i < std::min<qsizetype>(3, demoCase.imagePaths.size()); ++i) {
        v[u"image_%1_path"_s.arg(i + 1)] = demoCase.imagePaths.at(i);
        v[u"image_%1_shot_type"_s.arg(i + 1)] = demoCase.shotTypes.value(i);
    }

    QStringList row;
    for (const QString &column : caseColumns())
        row.append(v.value(column));
    return row;
}

QStringList DemoMetadata::labelRow(const DemoCase &demoCase, QRandomGenerator &random)
{
    const Profile &profile = profileFor(demoCase.condition);
    const double draw = random.generateDouble();
    const int raters = draw < 0.8 ? 3 : draw < 0.92 ? 2 : 1;
    QHash<QString, QString> v;
    v[u"case_id"_s] = demoCase.caseId;
    QList<Differential> differentials;
    QStringList names;
    QList<int> confidences;
    for (int i = 1; i <= raters; ++i) {
        const bool gradable = !chance(random, 0.05);
        v[u"dermatologist_gradable_for_skin_condition_%1"_s.arg(i)] = pythonBool(gradable);
        if (gradable) {
            const Differential d = differential(random, profile);
            differentials.append(d);
            for (const auto &[name, confidence] : d) {
                names.append(name);
                confidences.append(confidence);
            }
        }
        const bool fstGradable = !chance(random, 0.06);
        v[u"dermatologist_gradable_for_fitzpatrick_skin_type_%1"_s.arg(i)] = fstGradable ? u"YES"_s : u"NO"_s;
        if (fstGradable)
            v[u"dermatologist_fitzpatrick_skin_type_label_%1"_s.arg(i)]
                = fst(near(random, demoCase.fitzpatrick, 0.25, 1, 6));
    }
    v[u"dermatologist_skin_condition_on_label_name"_s] = pythonList(names);
    v[u"dermatologist_skin_condition_confidence"_s] = pythonList(confidences);
    v[u"weighted_skin_condition_label"_s] = weightedLabel(differentials);
    for (const QString &region : { u"india"_s, u"us"_s }) {
        const bool gradable = !chance(random, 0.07);
        v[u"gradable_for_monk_skin_tone_"_s + region] = pythonBool(gradable);
        if (gradable)
            v[u"monk_skin_tone_label_"_s + region]
                = QString::number(near(random, demoCase.monk, 0.35, 1, 10)) + u".0"_s;
    }

    QStringList row;
    for (const QString &column : labelColumns())
        row.append(v.value(column));
    return row;
}

QString DemoMetadata::weightedLabel(const QList<Differential> &dermatologists)
{
    QMap<QString, double> weights;
    double total = 0.0;
    for (const Differential &d : dermatologists) {
        Differential ranked = d;
        std::stable_sort(
            ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
        for (qsizetype rank = 0; rank < ranked.size(); ++rank) {
            const double w = 1.0 / double(rank + 1);
            weights[ranked.at(rank).first] += w;
            total += w;
        }
    }
    if (weights.isEmpty() || total <= 0.0)
        return u"{}"_s;
    std::vector<std::pair<QString, double>> entries;
    for (auto it = weights.cbegin(); it != weights.cend(); ++it)
        entries.emplace_back(it.key(), it.value() / total);
    // QMap iterates names in order, so the stable sort by weight leaves ties ordered by name.
    std::stable_sort(
        entries.begin(), entries.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    QStringList items;
    for (const auto &[name, weight] : entries)
        items.append(pythonString(name) + u": "_s + pythonFloat(weight));
    return u'{' + items.join(u", "_s) + u'}';
}

QString DemoMetadata::pythonString(const QString &text)
{
    const bool useDouble = text.contains(u'\'') && !text.contains(u'"');
    const QChar quote = useDouble ? u'"' : u'\'';
    QString out = quote;
    for (const QChar c : text) {
        if (c == u'\\' || c == quote)
            out += u'\\';
        if (c == u'\n')
            out += u"\\n"_s;
        else if (c == u'\t')
            out += u"\\t"_s;
        else if (c == u'\r')
            out += u"\\r"_s;
        else
            out += c;
    }
    return out + quote;
}

QString DemoMetadata::pythonList(const QStringList &items)
{
    QStringList quoted;
    for (const QString &item : items)
        quoted.append(pythonString(item));
    return u'[' + quoted.join(u", "_s) + u']';
}

QString DemoMetadata::pythonList(const QList<int> &items)
{
    QStringList numbers;
    for (int item : items)
        numbers.append(QString::number(item));
    return u'[' + numbers.join(u", "_s) + u']';
}

QString DemoMetadata::pythonFloat(double value)
{
    QString text = QString::number(std::round(value * 100.0) / 100.0, 'f', 2);
    if (text.endsWith(u'0'))
        text.chop(1);
    return text;
}

} // namespace dl
