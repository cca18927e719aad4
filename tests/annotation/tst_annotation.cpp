// SPDX-License-Identifier: GPL-3.0-or-later
// Roles, assignment of K distinct annotators, blinding and the audit trail
// of annotations, all enforced in core. Runs on SQLite and, as
// annotation_postgres, on PostgreSQL (TestStores).
#include "TestStores.h"

#include "annotation/AnnotationEditCommand.h"
#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "annotation/ReferenceLabelAccess.h"
#include "auth/Permissions.h"
#include "store/AssignmentRepository.h"
#include "store/CaseRepository.h"
#include "store/ImageRepository.h"
#include "store/SourceRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/UserRepository.h"
#include "users/UserService.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace dl;

class TestAnnotation : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void permissionsByRole_data();
    void permissionsByRole();
    void eachImageGetsKDistinctAnnotators_data();
    void eachImageGetsKDistinctAnnotators();
    void assignmentIsIdempotentAndRefusesTooFewRaters();
    void onlyAdminsAssign();
    void disablingRebalances();
    void saveAndReloadOwnLabels();
    void annotatorsAreBlinded();
    void referenceLabelsOnlyInTrainingStores();
    void qaSeesEveryRater();
    void invalidLabelsAreRefused_data();
    void invalidLabelsAreRefused();
    void auditLogRecordsChanges();
    void completeness();
    void undoRedoOfLabelEdits();

private:
    User addUser(const QString &name, Role role);
    void addImages(int count);
    QList<qint64> imageIds() const;

    TestStores m_stores {u"annotation"_s};
    std::unique_ptr<Store> m_store;
    User m_admin;
};

void TestAnnotation::initTestCase()
{
    DL_REQUIRE_TEST_STORES(m_stores);
}

void TestAnnotation::init()
{
    m_store.reset();
    QString error;
    m_store = m_stores.create(u"a"_s, &error);
    QVERIFY2(m_store, qPrintable(error));
    m_admin = addUser(u"admin"_s, Role::Admin);
}

User TestAnnotation::addUser(const QString &name, Role role)
{
    QString error;
    UserRepository users(m_store->db());
    const qint64 id = users.add(name, {}, role, u"password"_s, &error, 1);
    return users.findById(id, &error).value_or(User {});
}

void TestAnnotation::addImages(int count)
{
    QString error;
    ImageRepository images(m_store->db());
    for (int i = 0; i < count; ++i) {
        ImageRecord r;
        r.publicId = u"img-%1"_s.arg(i);
        r.sha256 = u"%1"_s.arg(i, 64, 16, QLatin1Char('0'));
        r.format = u"jpeg"_s;
        r.width = 100;
        r.height = 100;
        r.byteSize = 1000;
        QVERIFY(images.insert(r, &error) > 0);
    }
}

QList<qint64> TestAnnotation::imageIds() const
{
    QList<qint64> ids;
    QSqlQuery query(m_store->db());
    query.exec(u"SELECT id FROM images ORDER BY id"_s);
    while (query.next())
        ids.append(query.value(0).toLongLong());
    return ids;
}

void TestAnnotation::permissionsByRole_data()
{
    QTest::addColumn<Role>("role");
    QTest::addColumn<Action>("action");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("annotator annotates") << Role::Annotator << Action::Annotate << true;
    QTest::newRow("annotator blind") << Role::Annotator << Action::ViewAllAnnotations << false;
    QTest::newRow("annotator no users") << Role::Annotator << Action::ManageUsers << false;
    QTest::newRow("qa views all") << Role::Qa << Action::ViewAllAnnotations << true;
    QTest::newRow("qa adjudicates") << Role::Qa << Action::Adjudicate << true;
    QTest::newRow("qa no export") << Role::Qa << Action::ExportBundles << false;
    QTest::newRow("qa does not annotate") << Role::Qa << Action::Annotate << false;
    QTest::newRow("admin assigns") << Role::Admin << Action::AssignImages << true;
    QTest::newRow("admin imports") << Role::Admin << Action::ImportImages << true;
    QTest::newRow("admin exports") << Role::Admin << Action::ExportBundles << true;
}

void TestAnnotation::permissionsByRole()
{
    QFETCH(Role, role);
    QFETCH(Action, action);
    QFETCH(bool, allowed);
    QCOMPARE(Permissions::allows(role, action), allowed);
    User user;
    user.name = u"someone"_s;
    user.role = role;
    QString error;
    QCOMPARE(Permissions::check(user, action, &error), allowed);
    user.active = false;
    QVERIFY(!Permissions::check(user, action, &error));
    QVERIFY(error.contains(u"disabled"_s));
}

void TestAnnotation::eachImageGetsKDistinctAnnotators_data()
{
    QTest::addColumn<int>("images");
    QTest::addColumn<int>("annotators");
    QTest::addColumn<int>("k");
    QTest::newRow("3 of 5, 40 images") << 40 << 5 << 3;
    QTest::newRow("3 of 3") << 10 << 3 << 3;
    QTest::newRow("2 of 7, 101 images") << 101 << 7 << 2;
    QTest::newRow("1 of 4") << 9 << 4 << 1;
}

void TestAnnotation::eachImageGetsKDistinctAnnotators()
{
    QFETCH(int, images);
    QFETCH(int, annotators);
    QFETCH(int, k);
    addImages(images);
    for (int i = 0; i < annotators; ++i)
        addUser(u"dr.%1"_s.arg(i), Role::Annotator);
    addUser(u"qa"_s, Role::Qa); // never assigned
    QString error;
    const auto result = AssignmentService(*m_store, m_admin).assign({}, k, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(result->added, qint64(images) * k);
    AssignmentRepository assignments(m_store->db());
    for (qint64 image : imageIds())
        QCOMPARE(assignments.usersOf(image, &error).size(), k); // distinct by construction of the set and UNIQUE
    QCOMPARE(Sql::scalar(m_store->db(), u"SELECT COUNT(*) FROM assignments"_s, {}, &error)->toInt(), images * k);
    const auto load = assignments.loadPerUser(&error);
    QCOMPARE(load.size(), annotators);
    const auto [low, high] = std::minmax_element(load.cbegin(), load.cend());
    QVERIFY2(*high - *low <= 1, "work is balanced");
}

void TestAnnotation::assignmentIsIdempotentAndRefusesTooFewRaters()
{
    addImages(12);
    for (int i = 0; i < 3; ++i)
        addUser(u"dr.%1"_s.arg(i), Role::Annotator);
    QString error;
    AssignmentService service(*m_store, m_admin);
    QVERIFY(!service.assign({}, 4, &error));
    QVERIFY2(error.contains(u"only 3"_s), qPrintable(error));
    QCOMPARE(service.assign({}, 3, &error)->added, 36);
    QCOMPARE(service.assign({}, 3, &error)->added, 0);
    // New images only get what they lack.
    addImages(0);
    QCOMPARE(service.assign(imageIds().mid(0, 2), 3, &error)->added, 0);
}

void TestAnnotation::onlyAdminsAssign()
{
    addImages(3);
    const User annotator = addUser(u"dr.a"_s, Role::Annotator);
    const User qa = addUser(u"qa"_s, Role::Qa);
    QString error;
    QVERIFY(!AssignmentService(*m_store, annotator).assign({}, 1, &error));
    QVERIFY(error.contains(u"not allowed"_s));
    QVERIFY(!AssignmentService(*m_store, qa).assign({}, 1, &error));
    QCOMPARE(Sql::scalar(m_store->db(), u"SELECT COUNT(*) FROM assignments"_s, {}, &error)->toInt(), 0);
}

void TestAnnotation::disablingRebalances()
{
    addImages(20);
    QList<User> raters;
    for (int i = 0; i < 4; ++i)
        raters.append(addUser(u"dr.%1"_s.arg(i), Role::Annotator));
    QString error;
    AssignmentService service(*m_store, m_admin);
    QVERIFY(service.assign({}, 3, &error));
    AssignmentRepository assignments(m_store->db());
    const QList<AssignmentRecord> queue = assignments.forUser(raters[0].id, &error);
    QVERIFY(queue.size() >= 2);
    // dr.0 has started one image: it stays theirs.
    AnnotationService dr0(*m_store, raters[0]);
    auto started = dr0.own(queue.first().imageId, &error);
    QVERIFY(started);
    started->note = u"begun"_s;
    QVERIFY2(dr0.save(*started, &error), qPrintable(error));

    const auto result = UserService(*m_store, m_admin).disable(raters[0].id, &error);
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(result->removed, queue.size() - 1);
    QCOMPARE(result->underAssigned, 0);
    const QList<AssignmentRecord> after = assignments.forUser(raters[0].id, &error);
    QCOMPARE(after.size(), 1);
    QCOMPARE(after.first().imageId, queue.first().imageId);
    for (qint64 image : imageIds()) {
        QSet<qint64> users = assignments.usersOf(image, &error);
        users.remove(raters[0].id);
        QCOMPARE(users.size(), 3);
    }
    // A disabled rater can no longer sign in or label.
    QVERIFY(!UserRepository(m_store->db()).authenticate(u"dr.0"_s, u"password"_s));
}

void TestAnnotation::saveAndReloadOwnLabels()
{
    addImages(2);
    const User rater = addUser(u"dr.a"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    AnnotationService service(*m_store, rater);
    const qint64 image = imageIds().first();
    auto a = service.own(image, &error);
    QVERIFY2(a, qPrintable(error));
    QCOMPARE(a->id, -1);
    a->gradable = true;
    a->visibleCondition = u"yes"_s;
    a->sensitive = false;
    a->identifying = {u"tattoo"_s, u"visible_text"_s};
    a->diagnoses = {{u"eczema"_s, 4}, {u"psoriasis"_s, 2}};
    a->fitzpatrick = u"5"_s;
    a->monk = u"not_gradable"_s;
    a->note = u"Lichenified plaques, 'flexural'"_s;
    QVERIFY2(service.save(*a, &error), qPrintable(error));
    QVERIFY(a->id > 0);
    QCOMPARE(AssignmentRepository(m_store->db()).status(image, rater.id, &error), u"in_progress"_s);

    const auto reloaded = AnnotationService(*m_store, rater).own(image, &error);
    QVERIFY(reloaded);
    QVERIFY(reloaded->sameLabels(*a));
    QCOMPARE(reloaded->diagnoses.at(1).conditionId, u"psoriasis"_s);
    QVERIFY(!reloaded->createdAt.isEmpty());
    QVERIFY(service.setStatus(image, u"done"_s, &error));
    QCOMPARE(AssignmentRepository(m_store->db()).status(image, rater.id, &error), u"done"_s);
    QVERIFY(!service.setStatus(image, u"finished"_s, &error));
}

void TestAnnotation::referenceLabelsOnlyInTrainingStores()
{
    addImages(2);
    const User rater = addUser(u"dr.a"_s, Role::Annotator);
    const User other = addUser(u"dr.b"_s, Role::Annotator);
    const User qa = addUser(u"qa"_s, Role::Qa);
    QString error;
    const QList<qint64> ids = imageIds();
    // Both images in one case with reference labels; only the first assigned to dr.a.
    const qint64 source = SourceRepository(m_store->db()).findOrCreate({-1, u"scin"_s, u"S"_s, u"/s"_s, {}, {}, false},
                                                                       &error);
    CaseRepository cases(m_store->db());
    const qint64 caseId = cases.insert(source, u"c1"_s, u"case-1"_s, {}, &error);
    QVERIFY2(caseId > 0, qPrintable(error));
    QVERIFY(cases.linkImage(caseId, ids.at(0), 1, {}, &error));
    QVERIFY(cases.linkImage(caseId, ids.at(1), 2, {}, &error));
    QCOMPARE(cases.setReferenceLabel(caseId, {u"dermatologist_1"_s, u"fitzpatrick"_s, u"4"_s}, &error),
             CaseRepository::Change::Inserted);
    QVERIFY(AssignmentService(*m_store, m_admin).assign({ids.at(0)}, 2, &error));

    // Blinded by default; QA leads always see them.
    QVERIFY(!ReferenceLabelAccess::isTrainingStore(*m_store));
    QVERIFY(!ReferenceLabelAccess::forImage(*m_store, rater, ids.at(0), &error));
    QVERIFY(error.contains(u"blinded"_s));
    QCOMPARE(ReferenceLabelAccess::forImage(*m_store, qa, ids.at(0), &error)->size(), 1);
    // Only an admin turns a store into a training store.
    QVERIFY(!ReferenceLabelAccess::setTrainingStore(*m_store, rater, true, &error));
    QVERIFY(!ReferenceLabelAccess::setTrainingStore(*m_store, qa, true, &error));
    QVERIFY2(ReferenceLabelAccess::setTrainingStore(*m_store, m_admin, true, &error), qPrintable(error));
    QVERIFY(ReferenceLabelAccess::isTrainingStore(*m_store));
    const auto labels = ReferenceLabelAccess::forImage(*m_store, rater, ids.at(0), &error);
    QVERIFY2(labels, qPrintable(error));
    QCOMPARE(labels->first().value, u"4"_s);
    // Still only for images assigned to the rater.
    QVERIFY(!ReferenceLabelAccess::forImage(*m_store, rater, ids.at(1), &error));
    QVERIFY(ReferenceLabelAccess::forImage(*m_store, other, ids.at(0), &error)); // dr.b was assigned too
    QVERIFY(ReferenceLabelAccess::setTrainingStore(*m_store, m_admin, false, &error));
    QVERIFY(!ReferenceLabelAccess::forImage(*m_store, rater, ids.at(0), &error));
    QSqlQuery query(m_store->db());
    QVERIFY(query.exec(u"SELECT COUNT(*) FROM audit_log WHERE action = 'store.training'"_s) && query.next());
    QCOMPARE(query.value(0).toInt(), 2);
}

void TestAnnotation::annotatorsAreBlinded()
{
    addImages(1);
    const User a = addUser(u"dr.a"_s, Role::Annotator);
    const User b = addUser(u"dr.b"_s, Role::Annotator);
    const User c = addUser(u"dr.c"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 2, &error));
    const qint64 image = imageIds().first();
    const QSet<qint64> assigned = AssignmentRepository(m_store->db()).usersOf(image, &error);
    QCOMPARE(assigned.size(), 2);
    const User first = assigned.contains(a.id) ? a : b;
    const User outsider = !assigned.contains(a.id) ? a : !assigned.contains(b.id) ? b : c;

    AnnotationService mine(*m_store, first);
    auto labels = mine.own(image, &error);
    labels->gradable = false;
    labels->ungradableReason = u"blurry"_s;
    QVERIFY(mine.save(*labels, &error));

    // Another annotator cannot read all labels, nor write someone else's.
    AnnotationService other(*m_store, outsider);
    QVERIFY(!other.all(image, &error));
    QVERIFY(error.contains(u"not allowed"_s));
    QVERIFY(!other.own(image, &error)); // not assigned to them
    Annotation forged = *labels;
    forged.note = u"overwritten"_s;
    QVERIFY(!other.save(forged, &error));
    QVERIFY(error.contains(u"author"_s));
    QVERIFY(!mine.all(image, &error));
}

void TestAnnotation::qaSeesEveryRater()
{
    addImages(1);
    const User a = addUser(u"dr.a"_s, Role::Annotator);
    const User b = addUser(u"dr.b"_s, Role::Annotator);
    const User qa = addUser(u"qa"_s, Role::Qa);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 2, &error));
    const qint64 image = imageIds().first();
    for (const User &rater : {a, b}) {
        AnnotationService service(*m_store, rater);
        auto labels = service.own(image, &error);
        labels->fitzpatrick = rater.id == a.id ? u"3"_s : u"4"_s;
        QVERIFY(service.save(*labels, &error));
    }
    const auto all = AnnotationService(*m_store, qa).all(image, &error);
    QVERIFY2(all, qPrintable(error));
    QCOMPARE(all->size(), 2);
    // QA leads do not label.
    QVERIFY(!AnnotationService(*m_store, qa).own(image, &error));
}

void TestAnnotation::invalidLabelsAreRefused_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    QTest::newRow("confidence") << u"confidence"_s << u"Confidence"_s;
    QTest::newRow("four diagnoses") << u"four"_s << u"At most 3"_s;
    QTest::newRow("same condition twice") << u"twice"_s << u"different"_s;
    QTest::newRow("fitzpatrick 7") << u"fitzpatrick"_s << u"Fitzpatrick"_s;
    QTest::newRow("monk 11") << u"monk"_s << u"Monk"_s;
    QTest::newRow("identifying kind") << u"identifying"_s << u"identifying"_s;
    QTest::newRow("cannot determine with diagnoses") << u"cannot"_s << u"excludes"_s;
}

void TestAnnotation::invalidLabelsAreRefused()
{
    QFETCH(QString, field);
    QFETCH(QString, message);
    Annotation a;
    a.diagnoses = {{u"eczema"_s, 3}};
    if (field == u"confidence"_s)
        a.diagnoses = {{u"eczema"_s, 6}};
    else if (field == u"four"_s)
        a.diagnoses = {{u"a"_s, 1}, {u"b"_s, 1}, {u"c"_s, 1}, {u"d"_s, 1}};
    else if (field == u"twice"_s)
        a.diagnoses = {{u"a"_s, 1}, {u"a"_s, 2}};
    else if (field == u"fitzpatrick"_s)
        a.fitzpatrick = u"7"_s;
    else if (field == u"monk"_s)
        a.monk = u"11"_s;
    else if (field == u"identifying"_s)
        a.identifying = {u"passport"_s};
    else if (field == u"cannot"_s)
        a.cannotDetermine = true;
    QString error;
    QVERIFY(!AnnotationService::validate(a, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestAnnotation::auditLogRecordsChanges()
{
    addImages(1);
    const User rater = addUser(u"dr.a"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    AnnotationService service(*m_store, rater);
    const qint64 image = imageIds().first();
    auto a = service.own(image, &error);
    a->fitzpatrick = u"2"_s;
    QVERIFY(service.save(*a, &error));
    a->fitzpatrick = u"3"_s;
    QVERIFY(service.save(*a, &error));
    QVERIFY(service.save(*a, &error)); // unchanged: no new entry
    QSqlQuery query(m_store->db());
    QVERIFY(query.exec(u"SELECT action, user_id, detail FROM audit_log WHERE entity = 'annotation' ORDER BY id"_s));
    QStringList actions;
    QJsonObject lastDetail;
    while (query.next()) {
        actions << query.value(0).toString();
        QCOMPARE(query.value(1).toLongLong(), rater.id);
        lastDetail = QJsonDocument::fromJson(query.value(2).toString().toUtf8()).object();
    }
    QCOMPARE(actions, (QStringList {u"annotation.create"_s, u"annotation.update"_s}));
    const QJsonObject change = lastDetail.value(u"changes"_s).toObject().value(u"fitzpatrick"_s).toObject();
    QCOMPARE(change.value(u"from"_s).toString(), u"2"_s);
    QCOMPARE(change.value(u"to"_s).toString(), u"3"_s);
    QCOMPARE(lastDetail.value(u"changes"_s).toObject().size(), 1);
}

void TestAnnotation::completeness()
{
    Annotation a;
    QVERIFY(!AnnotationService::isComplete(a));
    a.gradable = false;
    QVERIFY(!AnnotationService::isComplete(a));
    a.ungradableReason = u"too_far"_s;
    QVERIFY(AnnotationService::isComplete(a));
    a = {};
    a.gradable = true;
    a.visibleCondition = u"yes"_s;
    a.sensitive = false;
    a.fitzpatrick = u"4"_s;
    a.monk = u"6"_s;
    QVERIFY(!AnnotationService::isComplete(a));
    a.cannotDetermine = true;
    QVERIFY(AnnotationService::isComplete(a));
}

void TestAnnotation::undoRedoOfLabelEdits()
{
    addImages(1);
    const User rater = addUser(u"dr.a"_s, Role::Annotator);
    QString error;
    QVERIFY(AssignmentService(*m_store, m_admin).assign({}, 1, &error));
    const qint64 image = imageIds().first();
    AnnotationService service(*m_store, rater);
    QUndoStack stack;
    Annotation current = *service.own(image, &error);
    QStringList errors;
    auto edit = [&](auto change, const QString &text, int key = -1) {
        Annotation after = current;
        change(after);
        stack.push(new AnnotationEditCommand(
            service, current, after, text, key,
            [&](const AnnotationEditCommand::Outcome &outcome) {
                current = outcome.labels;
                if (!outcome.error.isEmpty())
                    errors << outcome.error;
            },
            [&] { return current.version; }));
    };
    auto stored = [&] { return *AnnotationService(*m_store, rater).own(image, &error); };

    edit([](Annotation &a) { a.fitzpatrick = u"4"_s; }, u"Fitzpatrick IV"_s);
    edit([](Annotation &a) { a.diagnoses = {{u"eczema"_s, 5}}; }, u"Diagnosis"_s);
    edit([](Annotation &a) { a.note = u"l"_s; }, u"Note"_s, AnnotationEditCommand::NoteKey);
    edit([](Annotation &a) { a.note = u"li"_s; }, u"Note"_s, AnnotationEditCommand::NoteKey);
    edit([](Annotation &a) { a.note = u"lichen"_s; }, u"Note"_s, AnnotationEditCommand::NoteKey);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
    QCOMPARE(stack.count(), 3); // typing merged into one step
    QCOMPARE(stored().note, u"lichen"_s);

    stack.undo();
    QCOMPARE(stored().note, QString());
    QCOMPARE(stored().diagnoses.size(), 1);
    stack.undo();
    QVERIFY(stored().diagnoses.isEmpty());
    QCOMPARE(stored().fitzpatrick, u"4"_s);
    stack.undo();
    QCOMPARE(stored().fitzpatrick, QString());
    stack.redo();
    stack.redo();
    stack.redo();
    const Annotation final = stored();
    QCOMPARE(final.fitzpatrick, u"4"_s);
    QCOMPARE(final.diagnoses.first().conditionId, u"eczema"_s);
    QCOMPARE(final.note, u"lichen"_s);
    QVERIFY(errors.isEmpty());
}

QTEST_GUILESS_MAIN(TestAnnotation)
#include "tst_annotation.moc"
