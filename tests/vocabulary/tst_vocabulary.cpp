// SPDX-License-Identifier: GPL-3.0-or-later
// The label vocabularies (LabelVocabulary) and the places that follow them: validation, the
// agreement and consensus fields, the mask layers, the interchange mapping.
#include "annotation/AnnotationService.h"
#include "interchange/LabelMapper.h"
#include "masks/MaskLayer.h"
#include "model/LabelVocabulary.h"
#include "qa/ConsensusService.h"
#include "qa/LabelFields.h"
#include "taxonomy/Taxonomy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace dl;

class TestVocabulary : public QObject
{
    Q_OBJECT

private slots:
    void storedIdsInFormOrder();
    void displayText();
    void validationFollowsTheVocabulary();
    void fieldsFollowTheVocabulary();
    void maskLayersFollowTheVocabulary();
};

void TestVocabulary::storedIdsInFormOrder()
{
    // The stored and exported ids: changing one breaks every store and bundle written before.
    QCOMPARE(LabelVocabulary::ungradableReasonIds(),
             (QStringList {u"blurry"_s, u"poor_lighting"_s, u"too_far"_s, u"cropped_or_obstructed"_s, u"other"_s}));
    QCOMPARE(LabelVocabulary::identifyingKindIds(),
             (QStringList {u"face"_s, u"tattoo"_s, u"jewellery_or_birthmark"_s, u"background_landmark"_s,
                           u"visible_text"_s, u"other"_s}));
    QCOMPARE(LabelVocabulary::indexOf(LabelVocabulary::identifyingKinds(), u"visible_text"), 4);
    QCOMPARE(LabelVocabulary::indexOf(LabelVocabulary::identifyingKinds(), u"blurry"), -1);
    QVERIFY(LabelVocabulary::contains(LabelVocabulary::ungradableReasons(), u"too_far"));
    QVERIFY(!LabelVocabulary::contains(LabelVocabulary::ungradableReasons(), u"Too far"));
}

void TestVocabulary::displayText()
{
    QCOMPARE(LabelVocabulary::text(LabelVocabulary::ungradableReasons(), u"cropped_or_obstructed"),
             u"Cropped or obstructed"_s);
    QCOMPARE(LabelVocabulary::text(LabelVocabulary::identifyingKinds(), u"jewellery_or_birthmark"),
             u"Jewellery or birthmark"_s);
    // Unknown ids read as stored.
    QCOMPARE(LabelVocabulary::text(LabelVocabulary::identifyingKinds(), u"hat"), u"hat"_s);
    for (const LabelTerm &term : LabelVocabulary::identifyingKinds())
        QVERIFY(!LabelVocabulary::text(term).isEmpty());
}

void TestVocabulary::validationFollowsTheVocabulary()
{
    QString error;
    for (const QString &reason : LabelVocabulary::ungradableReasonIds()) {
        Annotation a;
        a.gradable = false;
        a.ungradableReason = reason;
        QVERIFY2(AnnotationService::validate(a, &error), qPrintable(error));
        QVERIFY(ConsensusService::isValidValue(u"ungradable_reason"_s, reason));
    }
    Annotation badReason;
    badReason.ungradableReason = u"dark"_s;
    QVERIFY(!AnnotationService::validate(badReason, &error));
    QVERIFY(!ConsensusService::isValidValue(u"ungradable_reason"_s, u"dark"_s));

    Annotation kinds;
    kinds.identifying = LabelVocabulary::identifyingKindIds();
    QVERIFY2(AnnotationService::validate(kinds, &error), qPrintable(error));
    kinds.identifying.append(u"hat"_s);
    QVERIFY(!AnnotationService::validate(kinds, &error));
    QVERIFY(error.contains(u"hat"_s));
}

void TestVocabulary::fieldsFollowTheVocabulary()
{
    Annotation a;
    a.visibleCondition = u"yes"_s; // suitability answered: unticked kinds read "no"
    a.identifying = {u"tattoo"_s};
    for (const QString &kind : LabelVocabulary::identifyingKindIds()) {
        const LabelField *field = LabelFields::find(u"identifying_"_s + kind);
        QVERIFY2(field, qPrintable(kind));
        QCOMPARE(field->uses, LabelField::Agreement | LabelField::Consensus);
        QCOMPARE(field->value(a), kind == u"tattoo"_s ? u"yes"_s : u"no"_s);
        QVERIFY(ConsensusService::isValidValue(u"identifying_"_s + kind, u"yes"_s));
    }
    QVERIFY(!LabelFields::find(u"identifying_hat"_s));
    // The fields keep the form's order: sensitive, the kinds, then the diagnoses.
    QStringList names;
    for (const LabelField &field : LabelFields::all())
        names.append(field.name);
    const qsizetype face = names.indexOf(u"identifying_face"_s);
    QCOMPARE(names.at(face - 1), u"sensitive"_s);
    QCOMPARE(names.at(face + LabelVocabulary::identifyingKinds().size()), u"diagnosis_1"_s);
    QCOMPARE(LabelFields::displayName(u"identifying_face"_s), u"Identifying: face"_s);
    QCOMPARE(LabelFields::displayName(u"identifying_jewellery_or_birthmark"_s),
             u"Identifying: jewellery or birthmark"_s);
    QCOMPARE(LabelFields::displayName(u"identifying_other"_s), u"Identifying: other"_s);
    QCOMPARE(LabelFields::displayName(u"identifying_hat"_s), u"identifying_hat"_s);
}

void TestVocabulary::maskLayersFollowTheVocabulary()
{
    const LabelMapper mapper(Taxonomy::builtin());
    for (const QString &kind : LabelVocabulary::identifyingKindIds()) {
        const QString id = MaskLayer::identifyingLayerId(kind);
        QVERIFY2(MaskLayer::isValidId(id), qPrintable(id));
        QCOMPARE(mapper.map(u"identifying:"_s + kind).layerId(), id);
    }
    QVERIFY(!MaskLayer::isValidId(u"identifying:hat"_s));
    QCOMPARE(MaskLayer::identifyingKindName(u"tattoo"), u"Tattoo"_s);
    QCOMPARE(MaskLayer::identifyingKindName(u"other"), u"Other identifying content"_s);
    Annotation a;
    a.identifying = {u"visible_text"_s, u"face"_s};
    QCOMPARE(MaskLayer::layerIdsFor(a), (QStringList {u"identifying:face"_s, u"identifying:visible_text"_s}));
}

QTEST_GUILESS_MAIN(TestVocabulary)
#include "tst_vocabulary.moc"
