// SPDX-License-Identifier: GPL-3.0-or-later
#include "annotation/AnnotationEditCommand.h"
#include "annotation/AnnotationService.h"
#include "labelform/DiagnosisRow.h"
#include "labelform/LabelForm.h"
#include "labelform/MonkSwatches.h"
#include "labelform/SegmentedButtons.h"
#include "taxonomy/Taxonomy.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace dl;

Q_DECLARE_METATYPE(dl::Annotation)

namespace {

Annotation fullAnnotation()
{
    Annotation a;
    a.id = 7;
    a.imageId = 42;
    a.userId = 3;
    a.gradable = true;
    a.visibleCondition = u"unsure"_s;
    a.sensitive = false;
    a.identifying = { u"tattoo"_s, u"visible_text"_s };
    a.diagnoses = { { u"urticaria"_s, 4 }, { u"drug_eruption"_s, 2 } };
    a.fitzpatrick = u"5"_s;
    a.monk = u"10"_s;
    a.note = u"Lesion partly under the watch strap."_s;
    a.createdAt = u"2026-01-02T03:04:05Z"_s;
    a.updatedAt = u"2026-01-02T03:05:00Z"_s;
    return a;
}

Annotation blankAnnotation()
{
    Annotation a;
    a.id = 1;
    a.imageId = 42;
    a.userId = 3;
    return a;
}

} // namespace

class TestLabelForm : public QObject
{
    Q_OBJECT

private:
    struct Fixture
    {
        LabelForm form;
        QSignalSpy spy { &form, &LabelForm::edited };
        Fixture(const Annotation &a = blankAnnotation())
        {
            form.setTaxonomy(Taxonomy::builtin());
            form.setAnnotation(a);
            form.resize(380, 900);
            form.show();
            QApplication::setActiveWindow(&form);
            if (!QTest::qWaitForWindowActive(&form))
                qWarning("the form did not become active");
        }
        template <typename T> T *child(const QString &name) const
        {
            T *widget = form.findChild<T *>(name);
            if (!widget)
                qFatal("no child named %s", qPrintable(name));
            return widget;
        }
        QToolButton *option(const QString &group, const QString &value) const
        {
            return child<SegmentedButtons>(group)->button(value);
        }
        DiagnosisRow *row(int rank) const { return child<DiagnosisRow>(u"diagnosisRow%1"_s.arg(rank)); }
        QWidget *content() const { return child<QWidget>(u"content"_s); }
        Annotation before(int i = 0) const { return spy.at(i).at(0).value<Annotation>(); }
        Annotation after(int i = 0) const { return spy.at(i).at(1).value<Annotation>(); }
        QString description(int i = 0) const { return spy.at(i).at(2).toString(); }
        int mergeKey(int i = 0) const { return spy.at(i).at(3).toInt(); }
    };

    /// Clicks a check box on its indicator (its centre may lie beyond its text).
    static void click(QCheckBox *box)
    {
        QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
    }

    static void compareLabels(const Annotation &actual, const Annotation &expected)
    {
        QCOMPARE(actual.gradable, expected.gradable);
        QCOMPARE(actual.ungradableReason, expected.ungradableReason);
        QCOMPARE(actual.visibleCondition, expected.visibleCondition);
        QCOMPARE(actual.sensitive, expected.sensitive);
        QCOMPARE(actual.identifying, expected.identifying);
        QCOMPARE(actual.cannotDetermine, expected.cannotDetermine);
        QCOMPARE(actual.diagnoses.size(), expected.diagnoses.size());
        for (qsizetype i = 0; i < actual.diagnoses.size(); ++i) {
            QCOMPARE(actual.diagnoses.at(i).conditionId, expected.diagnoses.at(i).conditionId);
            QCOMPARE(actual.diagnoses.at(i).confidence, expected.diagnoses.at(i).confidence);
        }
        QCOMPARE(actual.fitzpatrick, expected.fitzpatrick);
        QCOMPARE(actual.monk, expected.monk);
        QCOMPARE(actual.note, expected.note);
        QVERIFY(actual.sameLabels(expected));
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<dl::Annotation>();
        // The type-ahead test relies on these ids of the built-in taxonomy.
        QVERIFY(Taxonomy::builtin().contains(u"urticaria"));
        QCOMPARE(Taxonomy::builtin().displayName(u"urticaria"), u"Urticaria"_s);
        QVERIFY(Taxonomy::builtin().contains(u"drug_eruption"));
    }

    void roundTrip_data()
    {
        QTest::addColumn<Annotation>("annotation");
        QTest::newRow("blank") << blankAnnotation();
        QTest::newRow("full") << fullAnnotation();
        Annotation notGradable = blankAnnotation();
        notGradable.gradable = false;
        notGradable.ungradableReason = u"cropped_or_obstructed"_s;
        notGradable.note = u"Thumb over the lens"_s;
        QTest::newRow("not gradable") << notGradable;
        Annotation cannot = fullAnnotation();
        cannot.diagnoses.clear();
        cannot.cannotDetermine = true;
        cannot.sensitive = true;
        cannot.identifying = { u"face"_s, u"tattoo"_s, u"jewellery_or_birthmark"_s, u"background_landmark"_s,
            u"visible_text"_s, u"other"_s };
        cannot.fitzpatrick = u"not_gradable"_s;
        cannot.monk = u"not_gradable"_s;
        QTest::newRow("cannot determine") << cannot;
        Annotation three = fullAnnotation();
        three.diagnoses.append({ u"erythema_multiforme"_s, 1 });
        three.fitzpatrick = u"1"_s;
        three.monk = u"1"_s;
        three.visibleCondition = u"no"_s;
        QTest::newRow("three diagnoses") << three;
        Annotation unknown = fullAnnotation();
        unknown.diagnoses = { { u"retired_condition"_s, 5 } };
        QTest::newRow("unknown condition id") << unknown;
    }

    void roundTrip()
    {
        QFETCH(Annotation, annotation);
        Fixture f(fullAnnotation());
        f.form.setAnnotation(annotation);
        QCOMPARE(f.spy.count(), 0);
        const Annotation shown = f.form.annotation();
        compareLabels(shown, annotation);
        QCOMPARE(shown.id, annotation.id);
        QCOMPARE(shown.imageId, annotation.imageId);
        QCOMPARE(shown.createdAt, annotation.createdAt);
        // The widgets show it.
        QCOMPARE(f.child<SegmentedButtons>(u"gradable"_s)->value(),
            annotation.gradable ? (*annotation.gradable ? u"yes"_s : u"no"_s) : QString());
        QCOMPARE(f.child<SegmentedButtons>(u"fitzpatrick"_s)->value(), annotation.fitzpatrick);
        QCOMPARE(f.child<SegmentedButtons>(u"monk"_s)->value(), annotation.monk);
        QCOMPARE(f.child<QPlainTextEdit>(u"note"_s)->toPlainText(), annotation.note);
        QCOMPARE(f.child<QCheckBox>(u"identifying_face"_s)->isChecked(),
            annotation.identifying.contains(u"face"_s));
        for (int rank = 1; rank <= 3; ++rank) {
            const bool filled = rank <= annotation.diagnoses.size();
            QCOMPARE(f.row(rank)->conditionId(),
                filled ? annotation.diagnoses.at(rank - 1).conditionId : QString());
            QCOMPARE(f.row(rank)->conditionEdit()->text(),
                filled ? Taxonomy::builtin().displayName(annotation.diagnoses.at(rank - 1).conditionId)
                       : QString());
        }
        // Nothing pending either: flushing reports nothing.
        f.form.flushPendingEdit();
        QCOMPARE(f.spy.count(), 0);
    }

    void clicks_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("field");
        QTest::newRow("gradable yes") << u"gradable"_s << u"yes"_s << u"gradable=yes"_s;
        QTest::newRow("gradable no") << u"gradable"_s << u"no"_s << u"gradable=no"_s;
        QTest::newRow("visible yes") << u"visibleCondition"_s << u"yes"_s << u"visible=yes"_s;
        QTest::newRow("visible unsure") << u"visibleCondition"_s << u"unsure"_s << u"visible=unsure"_s;
        QTest::newRow("sensitive yes") << u"sensitive"_s << u"yes"_s << u"sensitive=yes"_s;
        QTest::newRow("sensitive no") << u"sensitive"_s << u"no"_s << u"sensitive=no"_s;
        QTest::newRow("fitzpatrick IV") << u"fitzpatrick"_s << u"4"_s << u"fitzpatrick=4"_s;
        QTest::newRow("fitzpatrick not gradable")
            << u"fitzpatrick"_s << u"not_gradable"_s << u"fitzpatrick=not_gradable"_s;
        QTest::newRow("monk 7") << u"monk"_s << u"7"_s << u"monk=7"_s;
        QTest::newRow("monk not gradable") << u"monk"_s << u"not_gradable"_s << u"monk=not_gradable"_s;
    }

    void clicks()
    {
        QFETCH(QString, group);
        QFETCH(QString, value);
        QFETCH(QString, field);
        Fixture f;
        QToolButton *button = f.option(group, value);
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(f.spy.count(), 1);
        QCOMPARE(f.mergeKey(), -1);
        QVERIFY(!f.description().isEmpty());
        compareLabels(f.before(), blankAnnotation());
        QCOMPARE(f.after().imageId, 42);
        const Annotation after = f.after();
        const QString got = field.startsWith(u"gradable"_s)
            ? u"gradable="_s + (after.gradable ? (*after.gradable ? u"yes"_s : u"no"_s) : QString())
            : field.startsWith(u"visible"_s) ? u"visible="_s + after.visibleCondition
            : field.startsWith(u"sensitive"_s)
            ? u"sensitive="_s + (after.sensitive ? (*after.sensitive ? u"yes"_s : u"no"_s) : QString())
            : field.startsWith(u"fitzpatrick"_s) ? u"fitzpatrick="_s + after.fitzpatrick
                                                 : u"monk="_s + after.monk;
        QCOMPARE(got, field);
        compareLabels(f.form.annotation(), after);
        QVERIFY(button->isChecked());
        // Clicking the chosen answer again changes nothing and reports nothing.
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(f.spy.count(), 1);
    }

    void identifyingCheckBoxes()
    {
        Fixture f;
        click(f.child<QCheckBox>(u"identifying_visible_text"_s));
        click(f.child<QCheckBox>(u"identifying_face"_s));
        QCOMPARE(f.spy.count(), 2);
        QCOMPARE(f.after(0).identifying, QStringList { u"visible_text"_s });
        // Stored in the order of the form.
        QCOMPARE(f.after(1).identifying, (QStringList { u"face"_s, u"visible_text"_s }));
        QCOMPARE(f.before(1).identifying, QStringList { u"visible_text"_s });
        // Space on a focused check box is the keyboard path.
        QCheckBox *face = f.child<QCheckBox>(u"identifying_face"_s);
        face->setFocus();
        QTest::keyClick(face, Qt::Key_Space);
        QCOMPARE(f.spy.count(), 3);
        QCOMPARE(f.after(2).identifying, QStringList { u"visible_text"_s });
    }

    void reasonOnlyWhenNotGradable()
    {
        Fixture f;
        auto *reason = f.child<QComboBox>(u"ungradableReason"_s);
        QVERIFY(!reason->isEnabled());
        QVERIFY(!reason->isVisible());
        QTest::mouseClick(f.option(u"gradable"_s, u"no"_s), Qt::LeftButton);
        QVERIFY(reason->isEnabled());
        QVERIFY(reason->isVisible());
        QCOMPARE(reason->currentIndex(), -1);
        QCOMPARE(f.form.completenessText(), u"1 question left"_s);

        reason->setFocus();
        QTest::keyClick(reason, Qt::Key_Down);
        QCOMPARE(f.spy.count(), 2);
        QCOMPARE(f.after(1).ungradableReason, u"blurry"_s);
        QTest::keyClick(reason, Qt::Key_Down);
        QCOMPARE(f.spy.count(), 3);
        QCOMPARE(f.before(2).ungradableReason, u"blurry"_s);
        QCOMPARE(f.after(2).ungradableReason, u"poor_lighting"_s);
        QCOMPARE(f.form.completenessText(), u"Complete"_s);

        // Back to gradable: the reason goes away, from the labels too.
        QTest::mouseClick(f.option(u"gradable"_s, u"yes"_s), Qt::LeftButton);
        QCOMPARE(f.spy.count(), 4);
        QCOMPARE(f.after(3).ungradableReason, QString());
        QVERIFY(!reason->isEnabled());
        QVERIFY(!reason->isVisible());
    }

    void shortcuts_data()
    {
        QTest::addColumn<QString>("keys"); // letters; '^' = Shift on the next key
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expected");
        QTest::newRow("G") << u"g"_s << u"gradable"_s << u"yes"_s;
        QTest::newRow("Shift+G") << u"^g"_s << u"gradable"_s << u"no"_s;
        QTest::newRow("V") << u"v"_s << u"visible"_s << u"yes"_s;
        QTest::newRow("N") << u"n"_s << u"visible"_s << u"no"_s;
        QTest::newRow("U") << u"u"_s << u"visible"_s << u"unsure"_s;
        QTest::newRow("S") << u"s"_s << u"sensitive"_s << u"yes"_s;
        QTest::newRow("Shift+S") << u"^s"_s << u"sensitive"_s << u"no"_s;
        QTest::newRow("F 1") << u"f1"_s << u"fitzpatrick"_s << u"1"_s;
        QTest::newRow("F 6") << u"f6"_s << u"fitzpatrick"_s << u"6"_s;
        QTest::newRow("F N") << u"fn"_s << u"fitzpatrick"_s << u"not_gradable"_s;
        QTest::newRow("M 3") << u"m3"_s << u"monk"_s << u"3"_s;
        QTest::newRow("M 0 is 10") << u"m0"_s << u"monk"_s << u"10"_s;
        QTest::newRow("M N") << u"mn"_s << u"monk"_s << u"not_gradable"_s;
        QTest::newRow("C") << u"c"_s << u"cannotDetermine"_s << u"true"_s;
    }

    void shortcuts()
    {
        QFETCH(QString, keys);
        QFETCH(QString, field);
        QFETCH(QString, expected);
        Fixture f;
        // Keys reach the form from a focused button that does not use them.
        QWidget *target = f.option(u"gradable"_s, u"yes"_s);
        Qt::KeyboardModifiers modifiers = Qt::NoModifier;
        for (const QChar c : keys) {
            if (c == u'^') {
                modifiers = Qt::ShiftModifier;
                continue;
            }
            QTest::keyClick(target, c.toLatin1(), modifiers);
            modifiers = Qt::NoModifier;
        }
        QCOMPARE(f.spy.count(), 1);
        const Annotation a = f.after();
        QString got;
        if (field == u"gradable"_s)
            got = *a.gradable ? u"yes"_s : u"no"_s;
        else if (field == u"visible"_s)
            got = a.visibleCondition;
        else if (field == u"sensitive"_s)
            got = *a.sensitive ? u"yes"_s : u"no"_s;
        else if (field == u"fitzpatrick"_s)
            got = a.fitzpatrick;
        else if (field == u"monk"_s)
            got = a.monk;
        else
            got = a.cannotDetermine ? u"true"_s : u"false"_s;
        QCOMPARE(got, expected);
        compareLabels(f.before(), blankAnnotation());
    }

    void shortcutDetails()
    {
        Fixture f;
        QWidget *content = f.content();
        // S toggles.
        QTest::keyClick(content, Qt::Key_S);
        QTest::keyClick(content, Qt::Key_S);
        QCOMPARE(f.spy.count(), 2);
        QCOMPARE(f.after(1).sensitive, std::optional<bool>(false));
        // A key that does not follow F cancels it and does its own job.
        QTest::keyClick(content, Qt::Key_F);
        QVERIFY(f.child<QLabel>(u"completeness"_s)->text().contains(u"Fitzpatrick"_s));
        QTest::keyClick(content, Qt::Key_V);
        QCOMPARE(f.spy.count(), 3);
        QCOMPARE(f.after(2).visibleCondition, u"yes"_s);
        QCOMPARE(f.after(2).fitzpatrick, QString());
        QVERIFY(!f.child<QLabel>(u"completeness"_s)->text().contains(u"Fitzpatrick"_s));
        // F then 7 is no Fitzpatrick type: nothing changes.
        QTest::keyClick(content, Qt::Key_F);
        QTest::keyClick(content, Qt::Key_7);
        QCOMPARE(f.spy.count(), 3);
        // Letters typed into a text field stay text.
        QLineEdit *condition = f.row(1)->conditionEdit();
        condition->setFocus();
        QTest::keyClicks(condition, u"gvs"_s);
        QCOMPARE(f.spy.count(), 3);
        QCOMPARE(condition->text(), u"gvs"_s);
        // D goes to the first empty diagnosis.
        f.content()->setFocus();
        QTest::keyClick(content, Qt::Key_D);
        QCOMPARE(QApplication::focusWidget(), condition);
        // The documented list names every single key handled above.
        QStringList keys;
        const QList<QPair<QString, QString>> list = LabelForm::shortcuts();
        for (const auto &entry : list) {
            QVERIFY(!entry.second.isEmpty());
            keys << entry.first;
        }
        for (const QString &key : { u"G"_s, u"Shift+G"_s, u"V"_s, u"N"_s, u"U"_s, u"S"_s, u"D"_s, u"C"_s })
            QVERIFY2(keys.contains(key), qPrintable(key));
    }

    void typeAhead()
    {
        Fixture f;
        QVERIFY(QTest::qWaitForWindowExposed(&f.form));
        DiagnosisRow *row = f.row(1);
        QLineEdit *edit = row->conditionEdit();
        edit->setFocus();
        QTest::keyClicks(edit, u"hiv"_s);
        QCOMPARE(f.spy.count(), 0);
        QCompleter *completer = row->completer();
        QAbstractItemModel *matches = completer->completionModel();
        QVERIFY(matches->rowCount() >= 1);
        QStringList ids;
        for (int i = 0; i < matches->rowCount(); ++i)
            ids << matches->index(i, 0).data(DiagnosisRow::IdRole).toString();
        QVERIFY2(ids.contains(u"urticaria"_s), qPrintable(ids.join(u',')));
        const int urticaria = int(ids.indexOf(u"urticaria"_s));
        // The offer shows the name and the synonym that matched.
        const QString shown = matches->index(urticaria, 0).data().toString();
        QVERIFY2(shown.contains(u"Urticaria"_s) && shown.contains(u"Hives"_s), qPrintable(shown));
        QVERIFY(completer->popup()->isVisible());

        // Choose it with the keyboard.
        completer->popup()->setCurrentIndex(matches->index(urticaria, 0));
        QTest::keyClick(completer->popup(), Qt::Key_Return);
        QCOMPARE(f.spy.count(), 1);
        QCOMPARE(f.after().diagnoses.size(), 1);
        QCOMPARE(f.after().diagnoses.at(0).conditionId, u"urticaria"_s);
        QCOMPARE(f.after().diagnoses.at(0).confidence, 3);
        QCOMPARE(f.before().diagnoses.size(), 0);
        QCOMPARE(edit->text(), u"Urticaria"_s);
        QCOMPARE(row->conditionId(), u"urticaria"_s);
        // The next rank opens for an alternative.
        QVERIFY(f.row(2)->isVisible());
        QVERIFY(!f.row(3)->isVisible());

        // Typing a full name and Enter also chooses; the best match is preselected.
        QLineEdit *second = f.row(2)->conditionEdit();
        second->setFocus();
        QTest::keyClicks(second, u"drug erupt"_s);
        QVERIFY(f.row(2)->completer()->popup()->isVisible());
        QTest::keyClick(f.row(2)->completer()->popup(), Qt::Key_Enter);
        QCOMPARE(f.spy.count(), 2);
        QCOMPARE(f.after(1).diagnoses.size(), 2);
        QCOMPARE(f.after(1).diagnoses.at(1).conditionId, u"drug_eruption"_s);

        // A condition already in the differential is not taken twice.
        QLineEdit *third = f.row(3)->conditionEdit();
        third->setFocus();
        QTest::keyClicks(third, u"Urticaria"_s);
        QTest::keyClick(f.row(3)->completer()->popup(), Qt::Key_Return);
        QCOMPARE(f.spy.count(), 2);
        QCOMPARE(third->text(), QString());

        // Nonsense typed and left reverts to the stored name.
        edit->setFocus();
        edit->selectAll();
        QTest::keyClicks(edit, u"zzzq"_s);
        QTest::keyClick(edit, Qt::Key_Return);
        QCOMPARE(f.spy.count(), 2);
        QCOMPARE(edit->text(), u"Urticaria"_s);
    }

    void typeAheadMovesTheFocus()
    {
        Fixture f;
        QVERIFY(QTest::qWaitForWindowExposed(&f.form));
        DiagnosisRow *row = f.row(1);
        QLineEdit *edit = row->conditionEdit();
        QWidget *content = f.content();
        content->setFocus();
        QTest::keyClick(content, Qt::Key_D);
        QCOMPARE(QApplication::focusWidget(), edit);
        QTest::keyClicks(edit, u"urtic"_s);
        QVERIFY(row->completer()->popup()->isVisible());
        // Enter on the preselected offer chooses it and goes on to its confidence ...
        QTest::keyClick(row->completer()->popup(), Qt::Key_Return);
        QCOMPARE(f.spy.count(), 1);
        QCOMPARE(f.after().diagnoses.value(0).conditionId, u"urticaria"_s);
        QCOMPARE(QApplication::focusWidget(), row->confidenceButtons()->button(u"3"_s));
        // ... where a digit sets it and gives the focus back to the form: F 2 is Fitzpatrick II.
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_4);
        QCOMPARE(f.after(1).diagnoses.value(0).confidence, 4);
        QCOMPARE(QApplication::focusWidget(), content);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_F);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_2);
        QCOMPARE(f.after(2).fitzpatrick, u"2"_s);
        QCOMPARE(f.after(2).diagnoses.value(0).confidence, 4);
        // Even with the focus on a confidence, F then a digit is Fitzpatrick, not a confidence.
        row->confidenceButtons()->setFocus();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_F);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_3);
        QCOMPARE(f.after(3).fitzpatrick, u"3"_s);
        QCOMPARE(f.after(3).diagnoses.value(0).confidence, 4);

        // Escape in the empty second row keeps what was typed, as a draft that is not stored.
        QLineEdit *second = f.row(2)->conditionEdit();
        second->setFocus();
        QTest::keyClicks(second, u"lich"_s);
        QTest::keyClick(second, Qt::Key_Escape);
        QVERIFY(!second->hasFocus());
        QCOMPARE(second->text(), u"lich"_s);
        QCOMPARE(f.row(2)->draft(), u"lich"_s);
        QVERIFY(second->font().italic());
        QCOMPARE(f.spy.count(), 4);
        // Another image: the draft goes.
        Annotation other = blankAnnotation();
        other.imageId = 43;
        f.form.setAnnotation(other);
        QCOMPARE(second->text(), QString());
        QVERIFY(f.row(2)->draft().isEmpty());
    }

    void otherIsExplicit()
    {
        Fixture f;
        QVERIFY(QTest::qWaitForWindowExposed(&f.form));
        DiagnosisRow *row = f.row(1);
        QLineEdit *edit = row->conditionEdit();
        edit->setFocus();
        QTest::keyClicks(edit, u"ecz"_s);
        // Known words: the best match is preselected, "Other: ..." comes last.
        QAbstractItemModel *offers = row->completer()->completionModel();
        QVERIFY(offers->rowCount() >= 2);
        QCOMPARE(row->completer()->popup()->currentIndex().row(), 0);
        QCOMPARE(offers->index(0, 0).data(DiagnosisRow::IdRole).toString(), u"eczema"_s);
        const QModelIndex last = offers->index(offers->rowCount() - 1, 0);
        QCOMPARE(last.data(DiagnosisRow::IdRole).toString(), u"other"_s);
        QCOMPARE(last.data(DiagnosisRow::OtherTextRole).toString(), u"ecz"_s);
        // A full name offers no "Other".
        edit->clear();
        QTest::keyClicks(edit, u"Eczema"_s);
        for (int i = 0; i < offers->rowCount(); ++i)
            QVERIFY(offers->index(i, 0).data(DiagnosisRow::OtherTextRole).toString().isEmpty());
        // Chosen: the taxonomy's "other" condition, the words in the note, one undo step.
        edit->clear();
        QTest::keyClicks(edit, u"Morphoea-like plaque"_s);
        row->completer()->popup()->setCurrentIndex(offers->index(offers->rowCount() - 1, 0));
        QTest::keyClick(row->completer()->popup(), Qt::Key_Return);
        QCOMPARE(f.spy.count(), 1);
        QCOMPARE(f.after().diagnoses.value(0).conditionId, u"other"_s);
        QCOMPARE(f.after().note, u"Other condition: Morphoea-like plaque"_s);
        QCOMPARE(edit->text(), Taxonomy::builtin().displayName(u"other"));
        QCOMPARE(QApplication::focusWidget(), row->confidenceButtons()->button(u"3"_s));
    }

    void confidenceKeys()
    {
        Fixture f(fullAnnotation());
        DiagnosisRow *row = f.row(1);
        // In the condition field while the chosen name is shown.
        row->conditionEdit()->setFocus();
        QTest::keyClick(row->conditionEdit(), Qt::Key_5);
        QCOMPARE(f.spy.count(), 1);
        QCOMPARE(f.before().diagnoses.at(0).confidence, 4);
        QCOMPARE(f.after().diagnoses.at(0).confidence, 5);
        QCOMPARE(f.after().diagnoses.at(1).confidence, 2);
        QCOMPARE(row->conditionEdit()->text(), u"Urticaria"_s);
        // On the row's buttons.
        QToolButton *remove = f.row(2)->removeButton();
        QTest::keyClick(remove, Qt::Key_1);
        QCOMPARE(f.spy.count(), 2);
        QCOMPARE(f.after(1).diagnoses.at(1).confidence, 1);
        QVERIFY(f.row(2)->confidenceButtons()->button(u"1"_s)->isChecked());
        // A click on a confidence button.
        QTest::mouseClick(f.row(2)->confidenceButtons()->button(u"3"_s), Qt::LeftButton);
        QCOMPARE(f.spy.count(), 3);
        QCOMPARE(f.after(2).diagnoses.at(1).confidence, 3);
        // 6 is no confidence; the same confidence again is no change.
        QTest::keyClick(remove, Qt::Key_3);
        QCOMPARE(f.spy.count(), 3);
        // The empty third row has no confidence to set.
        QVERIFY(!f.row(3)->confidenceButtons()->isEnabled());
    }

    void removeRow()
    {
        Fixture f(fullAnnotation());
        QTest::mouseClick(f.row(1)->removeButton(), Qt::LeftButton);
        QCOMPARE(f.spy.count(), 1);
        QCOMPARE(f.after().diagnoses.size(), 1);
        QCOMPARE(f.after().diagnoses.at(0).conditionId, u"drug_eruption"_s);
        QCOMPARE(f.row(1)->conditionEdit()->text(), u"Drug eruption"_s);
        QVERIFY(!f.row(3)->isVisible());
    }

    void cannotDetermineClears()
    {
        Fixture f(fullAnnotation());
        auto *box = f.child<QCheckBox>(u"cannotDetermine"_s);
        click(box);
        QCOMPARE(f.spy.count(), 1);
        QVERIFY(f.after().cannotDetermine);
        QVERIFY(f.after().diagnoses.isEmpty());
        QCOMPARE(f.before().diagnoses.size(), 2);
        QString error;
        QVERIFY2(AnnotationService::validate(f.after(), &error), qPrintable(error));
        QVERIFY(!f.row(1)->isEnabled());
        QCOMPARE(f.row(1)->conditionEdit()->text(), QString());
        QVERIFY(!f.row(2)->isVisible());
        // Unticking gives the rows back, empty.
        click(box);
        QCOMPARE(f.spy.count(), 2);
        QVERIFY(!f.after(1).cannotDetermine);
        QVERIFY(f.row(1)->isEnabled());
    }

    void readOnlyBlocksEdits()
    {
        Fixture f(fullAnnotation());
        f.form.setReadOnly(true);
        QTest::mouseClick(f.option(u"gradable"_s, u"no"_s), Qt::LeftButton);
        QTest::mouseClick(f.option(u"monk"_s, u"2"_s), Qt::LeftButton);
        click(f.child<QCheckBox>(u"cannotDetermine"_s));
        QTest::keyClick(f.content(), Qt::Key_G, Qt::ShiftModifier);
        QTest::keyClick(f.content(), Qt::Key_F);
        QTest::keyClick(f.content(), Qt::Key_2);
        QTest::keyClick(f.row(1)->conditionEdit(), Qt::Key_1);
        QTest::keyClicks(f.row(1)->conditionEdit(), u"abc"_s);
        QTest::keyClicks(f.child<QPlainTextEdit>(u"note"_s), u"abc"_s);
        f.form.flushPendingEdit();
        QCOMPARE(f.spy.count(), 0);
        compareLabels(f.form.annotation(), fullAnnotation());
        QVERIFY(f.form.completenessText().contains(u"Complete"_s));
        // Editable again.
        f.form.setReadOnly(false);
        QTest::mouseClick(f.option(u"monk"_s, u"2"_s), Qt::LeftButton);
        QCOMPARE(f.spy.count(), 1);
    }

    void noteTyping()
    {
        Fixture f;
        auto *note = f.child<QPlainTextEdit>(u"note"_s);
        note->setFocus();
        QTest::keyClicks(note, u"Hello"_s);
        // One edit per pause, not one per key.
        QCOMPARE(f.spy.count(), 0);
        QCOMPARE(f.form.annotation().note, u"Hello"_s);
        QTRY_COMPARE_WITH_TIMEOUT(f.spy.count(), 1, 3000);
        QCOMPARE(f.mergeKey(), int(AnnotationEditCommand::NoteKey));
        QCOMPARE(f.before().note, QString());
        QCOMPARE(f.after().note, u"Hello"_s);
        // Another change reports pending typing first, so each edit has the right "before".
        QTest::keyClicks(note, u" you"_s);
        QTest::mouseClick(f.option(u"gradable"_s, u"yes"_s), Qt::LeftButton);
        QCOMPARE(f.spy.count(), 3);
        QCOMPARE(f.after(1).note, u"Hello you"_s);
        QCOMPARE(f.mergeKey(1), int(AnnotationEditCommand::NoteKey));
        QCOMPARE(f.before(2).note, u"Hello you"_s);
        QCOMPARE(f.mergeKey(2), -1);
        // Loading another image reports typing not yet reported, then loads silently.
        QTest::keyClicks(note, u"!"_s);
        // The pause timer that would report the typing is running...
        QTimer *pause = nullptr;
        for (QTimer *timer : f.form.findChildren<QTimer *>(QString(), Qt::FindDirectChildrenOnly)) {
            if (timer->interval() == LabelForm::NotePauseMs && timer->isActive())
                pause = timer;
        }
        QVERIFY(pause);
        f.form.setAnnotation(fullAnnotation());
        QCOMPARE(f.spy.count(), 4);
        QCOMPARE(f.after(3).note, u"Hello you!"_s);
        QCOMPARE(note->toPlainText(), fullAnnotation().note);
        // ...and is stopped by the load, which left no typing to report: what the timer would
        // have done reports nothing.
        QVERIFY(!pause->isActive());
        f.form.flushPendingEdit();
        QCOMPARE(f.spy.count(), 4);
    }

    void completeness()
    {
        Fixture f;
        auto *status = f.child<QLabel>(u"completeness"_s);
        QCOMPARE(status->text(), u"Not started: 6 questions, gradability first"_s);
        QWidget *content = f.content();
        QTest::keyClick(content, Qt::Key_G);
        QCOMPARE(status->text(), u"5 questions left"_s);
        QTest::keyClick(content, Qt::Key_V);
        QTest::keyClick(content, Qt::Key_S);
        QCOMPARE(status->text(), u"3 questions left"_s);
        QTest::keyClick(content, Qt::Key_C);
        QTest::keyClick(content, Qt::Key_F);
        QTest::keyClick(content, Qt::Key_3);
        QCOMPARE(status->text(), u"1 question left"_s);
        QTest::keyClick(content, Qt::Key_M);
        QTest::keyClick(content, Qt::Key_4);
        // Complete: the key that moves on is shown.
        QCOMPARE(status->text(), u"Complete  \u00B7  Page Down: next image"_s);
        QVERIFY(AnnotationService::isComplete(f.form.annotation()));
        QTest::keyClick(content, Qt::Key_C);
        QCOMPARE(status->text(), u"1 question left"_s);
        // Loading updates it too.
        f.form.setAnnotation(fullAnnotation());
        QCOMPARE(status->text(), u"Complete  \u00B7  Page Down: next image"_s);
        QCOMPARE(f.spy.count(), 7);
    }

    void questionsLeftMatchesService_data()
    {
        QTest::addColumn<Annotation>("annotation");
        QTest::addColumn<int>("left");
        QTest::newRow("blank") << blankAnnotation() << 1;
        Annotation a = blankAnnotation();
        a.gradable = false;
        QTest::newRow("not gradable, no reason") << a << 1;
        a.ungradableReason = u"other"_s;
        QTest::newRow("not gradable, reason") << a << 0;
        QTest::newRow("full") << fullAnnotation() << 0;
        Annotation b = fullAnnotation();
        b.diagnoses.clear();
        b.monk.clear();
        QTest::newRow("two missing") << b << 2;
    }

    void questionsLeftMatchesService()
    {
        QFETCH(Annotation, annotation);
        QFETCH(int, left);
        QCOMPARE(LabelForm::questionsLeft(annotation), left);
        QCOMPARE(left == 0, AnnotationService::isComplete(annotation));
    }

    void tabOrderFollowsTheForm()
    {
        Fixture f(fullAnnotation());
        QVERIFY(QTest::qWaitForWindowExposed(&f.form));
        QApplication::setActiveWindow(&f.form);
        QToolButton *first = f.option(u"gradable"_s, u"yes"_s);
        first->setFocus(Qt::TabFocusReason);
        QList<QWidget *> visited;
        for (int i = 0; i < 80 && !visited.contains(QApplication::focusWidget()); ++i) {
            visited << QApplication::focusWidget();
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        }
        auto position = [&](QWidget *w) { return visited.indexOf(w); };
        QCOMPARE(position(first), 0);
        // One Tab stop per row of options, on the chosen one.
        QCOMPARE(position(f.option(u"gradable"_s, u"no"_s)), -1);
        const QList<QWidget *> inOrder = { f.option(u"visibleCondition"_s, u"unsure"_s),
            f.option(u"sensitive"_s, u"no"_s), f.child<QCheckBox>(u"identifying_face"_s),
            f.child<QCheckBox>(u"identifying_other"_s), f.row(1)->conditionEdit(), f.row(1)->removeButton(),
            f.row(1)->confidenceButtons()->button(u"4"_s), f.row(2)->conditionEdit(),
            f.row(2)->confidenceButtons()->button(u"2"_s), f.row(3)->conditionEdit(),
            f.child<QCheckBox>(u"cannotDetermine"_s), f.option(u"fitzpatrick"_s, u"5"_s),
            f.option(u"monk"_s, u"10"_s), f.child<QPlainTextEdit>(u"note"_s) };
        int last = 0;
        for (QWidget *w : inOrder) {
            QVERIFY2(
                position(w) > last, qPrintable(w->objectName() + u" at "_s + QString::number(position(w))));
            last = position(w);
        }
        // Gradable, visible, sensitive, six check boxes, 3 + 3 + 1 in the diagnoses, the rest.
        QCOMPARE(visited.size(), 20);

        // The arrow keys move along a row and choose, like radio buttons.
        first->setFocus(Qt::TabFocusReason);
        QTest::keyClick(first, Qt::Key_Right);
        QCOMPARE(QApplication::focusWidget(), f.option(u"gradable"_s, u"no"_s));
        QCOMPARE(f.spy.count(), 1);
        QCOMPARE(f.after().gradable, std::optional<bool>(false));
        QToolButton *monk10 = f.option(u"monk"_s, u"10"_s);
        monk10->setFocus(Qt::TabFocusReason);
        QTest::keyClick(monk10, Qt::Key_Left);
        QCOMPARE(f.spy.count(), 2);
        QCOMPARE(f.after(1).monk, u"9"_s);
    }

    void mnemonics()
    {
        Fixture f(fullAnnotation());
        QVERIFY(QTest::qWaitForWindowExposed(&f.form));
        QTest::keyClick(&f.form, Qt::Key_D, Qt::AltModifier);
        QCOMPARE(QApplication::focusWidget(), f.row(1)->conditionEdit());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_O, Qt::AltModifier);
        QCOMPARE(QApplication::focusWidget(), f.child<QPlainTextEdit>(u"note"_s));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Q, Qt::AltModifier);
        QCOMPARE(QApplication::focusWidget(), f.option(u"gradable"_s, u"yes"_s));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_T, Qt::AltModifier);
        // A row of options takes the focus on its chosen answer.
        QCOMPARE(QApplication::focusWidget(), f.option(u"fitzpatrick"_s, u"5"_s));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_U, Qt::AltModifier);
        QCOMPARE(QApplication::focusWidget(), f.option(u"visibleCondition"_s, u"unsure"_s));
        QCOMPARE(f.spy.count(), 0);
    }

    void fitsTheSidePanel()
    {
        Fixture f(fullAnnotation());
        f.form.resize(380, 1100);
        QVERIFY(QTest::qWaitForWindowExposed(&f.form));
        // Nothing needs more than the panel's width.
        QVERIFY2(f.content()->minimumSizeHint().width() <= 380,
            qPrintable(QString::number(f.content()->minimumSizeHint().width())));
        QCOMPARE(MonkSwatches::toneColor(1), QColor(u"#f6ede4"_s));
        QCOMPARE(MonkSwatches::toneColor(10), QColor(u"#292420"_s));
        const QImage image = f.form.grab().toImage();
        QCOMPARE(image.width(), 380 * int(image.devicePixelRatio()));
        const QString path = qEnvironmentVariable("DERMLABEL_LABELFORM_PNG");
        if (!path.isEmpty()) {
            QVERIFY(image.save(path));
            // And a not-gradable image with the reason open, half answered.
            Annotation a = blankAnnotation();
            a.gradable = false;
            a.monk = u"4"_s;
            f.form.setAnnotation(a);
            // Let the layouts close the gaps of the rows just hidden, as before a paint: the layout
            // requests are posted events, and those they post in turn are sent in the same call.
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            QVERIFY(f.form.grab().save(QString(path).replace(u".png"_s, u"-ungradable.png"_s)));
        }
    }
};

QTEST_MAIN(TestLabelForm)
#include "tst_labelform.moc"
