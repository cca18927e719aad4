// SPDX-License-Identifier: GPL-3.0-or-later
// The repositories services use instead of SQL: StoreTransaction, image flags, and the batched
// reads (one query for every image) that must say what the per-item reads say. Every test runs
// on an SQLite file and on a PostgreSQL database of the test server (global data rows "sqlite"
// and "postgres"): the statements are the same on both.
#include "PostgresTestServer.h"

#include "store/AnnotationRepository.h"
#include "store/AssignmentRepository.h"
#include "store/CaseRepository.h"
#include "store/ConsensusRepository.h"
#include "store/ImageFlagRepository.h"
#include "store/ImageRepository.h"
#include "store/MaskRepository.h"
#include "store/SourceRepository.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"
#include "store/UserRepository.h"

#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace dl;

class TestRepositories : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();
    void storeTransactionCoversRepositoriesOfTheStore();
    void imageFlags();
    void imagesAndCasesAtOnce();
    void masksAtOnce();
    void consensusAtOnce();
    void assignmentsAtOnce();
    void usersAndSources();

private:
    qint64 addImage(int n);
    qint64 addUser(const QString &name, Role role);
    qint64 addAnnotation(qint64 imageId, qint64 userId);

    QTemporaryDir m_dir;
    PostgresTestServer m_pg {u"repositories"_s};
    std::unique_ptr<Store> m_store;
    qint64 m_source = -1;
};

void TestRepositories::initTestCase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("postgres") << u"postgres"_s;
}

void TestRepositories::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // team stores cache their images below it
    QVERIFY(m_dir.isValid());
}

void TestRepositories::cleanupTestCase()
{
    m_pg.dropAll();
}

void TestRepositories::init()
{
    // A new store for every test, on this row's backend.
    QFETCH_GLOBAL(QString, backend);
    const QString name = QString::fromLatin1(QTest::currentTestFunction()).toLower();
    QString path = m_dir.filePath(name + u".dermlabel"_s);
    if (backend == u"postgres"_s) {
        if (PostgresTestServer::disabled())
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");
        QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
        path = m_pg.databaseUrl(name);
    }
    QString error;
    m_store = Store::open(path, Store::OpenMode::CreateIfMissing, &error);
    QVERIFY2(m_store, qPrintable(error));
    m_source = SourceRepository(*m_store).findOrCreate({-1, u"folder"_s, u"photos"_s, u"/data/photos"_s, {}, {}, false},
                                                       &error);
    QVERIFY2(m_source > 0, qPrintable(error));
}

void TestRepositories::cleanup()
{
    m_store.reset();
}

qint64 TestRepositories::addImage(int n)
{
    ImageRecord r;
    r.publicId = u"img-%1"_s.arg(n, 3, 10, QChar(u'0'));
    r.sha256 = u"%1"_s.arg(n, 64, 16, QChar(u'0'));
    r.format = u"jpeg"_s;
    r.width = 40 + n;
    r.height = 30;
    r.byteSize = 1000 + n;
    QString error;
    const qint64 id = ImageRepository(*m_store).insert(r, &error);
    if (id < 0)
        qWarning() << error;
    return id;
}

qint64 TestRepositories::addUser(const QString &name, Role role)
{
    QString error;
    const qint64 id = UserRepository(*m_store).add(name, {}, role, u"password"_s, &error, 1);
    if (id < 0)
        qWarning() << error;
    return id;
}

qint64 TestRepositories::addAnnotation(qint64 imageId, qint64 userId)
{
    Annotation a;
    a.imageId = imageId;
    a.userId = userId;
    a.gradable = true;
    QString error;
    if (AnnotationRepository(*m_store).save(a, &error) != SaveResult::Saved)
        qWarning() << error;
    return a.id;
}

void TestRepositories::storeTransactionCoversRepositoriesOfTheStore()
{
    QString error;
    const qint64 image = addImage(1);
    {
        StoreTransaction tx(*m_store);
        QVERIFY(tx.isActive());
        QVERIFY(ImageFlagRepository(*m_store).addIfMissing(image, u"face"_s, {}, &error).value_or(false));
        // Not committed: rolled back when tx goes.
    }
    QVERIFY(!ImageFlagRepository(*m_store).find(image, u"face"_s, &error));
    QVERIFY(error.isEmpty());
    {
        StoreTransaction tx(*m_store);
        QVERIFY(ImageFlagRepository(*m_store).addIfMissing(image, u"face"_s, {}, &error).value_or(false));
        QVERIFY2(tx.commit(), qPrintable(tx.error()));
    }
    QVERIFY(ImageFlagRepository(*m_store).find(image, u"face"_s, &error));
}

void TestRepositories::imageFlags()
{
    QString error;
    const qint64 second = addImage(2), first = addImage(1), unflagged = addImage(3);
    const qint64 qa = addUser(u"qa"_s, Role::Qa);
    ImageFlagRepository flags(*m_store);
    QCOMPARE(flags.addIfMissing(second, u"face"_s, u"{\"faces\":[]}"_s, &error), std::optional<bool>(true));
    QCOMPARE(flags.addIfMissing(second, u"face"_s, u"other detail"_s, &error), std::optional<bool>(false));
    QCOMPARE(flags.addIfMissing(first, u"face"_s, {}, &error), std::optional<bool>(true));

    const auto found = flags.find(second, u"face"_s, &error);
    QVERIFY(found);
    QCOMPARE(found->imageName, u"img-002"_s);
    QCOMPARE(found->detail, u"{\"faces\":[]}"_s); // the first detail stays
    QCOMPARE(found->status, u"open"_s);
    QVERIFY(!flags.find(unflagged, u"face"_s, &error));
    QVERIFY(!flags.find(second, u"tattoo"_s, &error));
    QVERIFY(error.isEmpty());

    const QList<ImageFlag> all = flags.ofKind(u"face"_s, &error);
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.at(0).imageId, first); // by public id
    QCOMPARE(all.at(1).imageId, second);
    QVERIFY(flags.ofKind(u"tattoo"_s, &error).isEmpty());

    QCOMPARE(flags.resolve(second, u"face"_s, u"confirmed"_s, qa, &error), std::optional<bool>(true));
    QCOMPARE(flags.resolve(first, u"face"_s, u"dismissed"_s, -1, &error), std::optional<bool>(true));
    QCOMPARE(flags.resolve(unflagged, u"face"_s, u"confirmed"_s, qa, &error), std::optional<bool>(false));
    QCOMPARE(flags.find(second, u"face"_s, &error)->status, u"confirmed"_s);
    QCOMPARE(Sql::scalar(m_store->db(), u"SELECT resolved_by FROM image_flags WHERE image_id = ?"_s, {second}, &error)
                 ->toLongLong(),
             qa);
    QVERIFY(Sql::scalar(m_store->db(), u"SELECT resolved_by FROM image_flags WHERE image_id = ?"_s, {first}, &error)
                ->isNull());
    // A status the table does not know is a store error, not "no flag".
    QVERIFY(!flags.resolve(first, u"face"_s, u"maybe"_s, qa, &error));
    QVERIFY(!error.isEmpty());
}

void TestRepositories::imagesAndCasesAtOnce()
{
    QString error;
    QList<qint64> ids;
    for (int n = 1; n <= 4; ++n)
        ids.append(addImage(n));
    ImageRepository images(*m_store);
    const qint64 other = SourceRepository(*m_store).findOrCreate(
        {-1, u"folder"_s, u"more"_s, u"/data/more"_s, {}, {}, false}, &error);
    QVERIFY(images.recordFile(ids[0], other, u"a/one.jpg"_s, 10, u"t"_s, &error));
    QVERIFY(images.recordFile(ids[0], m_source, u"one.jpg"_s, 10, u"t"_s, &error));
    QVERIFY(images.recordFile(ids[1], other, u"two.jpg"_s, 10, u"t"_s, &error));

    const QHash<qint64, ImageRecord> all = images.all(&error);
    QCOMPARE(images.ids(&error), ids);
    QCOMPARE(all.size(), ids.size());
    const QHash<qint64, QString> publicIds = images.publicIds(&error);
    for (qint64 id : std::as_const(ids)) {
        const auto one = images.find(id, &error);
        QVERIFY(one);
        const ImageRecord &batched = all.value(id);
        QCOMPARE(batched.publicId, one->publicId);
        QCOMPARE(batched.sha256, one->sha256);
        QCOMPARE(batched.width, one->width);
        QCOMPARE(batched.byteSize, one->byteSize);
        QVERIFY(batched.thumbnail.isEmpty());
        QCOMPARE(publicIds.value(id), one->publicId);
    }
    const QHash<qint64, qint64> firstSource = images.firstSourceOfEachImage(&error);
    QCOMPARE(firstSource.size(), 2);
    QCOMPARE(firstSource.value(ids[0]), std::min(m_source, other));
    QCOMPARE(firstSource.value(ids[1]), other);
    const QList<QPair<qint64, QString>> paths = images.sourcePaths(&error);
    QCOMPARE(paths.size(), 3);
    QCOMPARE(paths.last(), qMakePair(ids[1], u"two.jpg"_s));

    CaseRepository cases(*m_store);
    CaseMetadata metadata;
    metadata.ageGroup = u"AGE_30_TO_39"_s;
    metadata.ageYears = 34;
    metadata.sex = u"female"_s;
    metadata.bodySites = QStringList {u"ARM"_s, u"LEG"_s};
    metadata.country = u"Ghana"_s;
    const qint64 caseA = cases.insert(m_source, u"a"_s, u"case-a"_s, metadata, &error);
    const qint64 caseB = cases.insert(other, u"b"_s, u"case-b"_s, {}, &error);
    QVERIFY2(caseA > 0 && caseB > 0, qPrintable(error));
    QVERIFY(cases.linkImage(caseB, ids[0], 1, {}, &error));
    QVERIFY(cases.linkImage(caseA, ids[0], 1, {}, &error));
    QVERIFY(cases.linkImage(caseA, ids[2], 2, {}, &error));
    QCOMPARE(cases.setReferenceLabel(caseA, {u"dermatologist_1"_s, u"fitzpatrick"_s, u"3"_s}, &error),
             CaseRepository::Change::Inserted);
    QCOMPARE(cases.setReferenceLabel(caseB, {{}, u"monk_skin_tone_india"_s, u"5"_s}, &error),
             CaseRepository::Change::Inserted);
    QCOMPARE(cases.setReferenceLabel(caseA, {{}, u"weighted_skin_condition_label"_s, u"{}"_s}, &error),
             CaseRepository::Change::Inserted);

    const QHash<qint64, CaseRecord> allCases = cases.all(&error);
    QCOMPARE(allCases.size(), 2);
    for (qint64 id : {caseA, caseB}) {
        const CaseMetadata one = cases.metadata(id, &error);
        const CaseRecord &batched = allCases.value(id);
        QCOMPARE(batched.id, id);
        QCOMPARE(batched.metadata.ageGroup, one.ageGroup);
        QCOMPARE(batched.metadata.ageYears, one.ageYears);
        QCOMPARE(batched.metadata.sex, one.sex);
        QCOMPARE(batched.metadata.bodySites, one.bodySites);
        QCOMPARE(batched.metadata.country, one.country);
    }
    QCOMPARE(allCases.value(caseA).publicId, u"case-a"_s);
    QCOMPARE(allCases.value(caseA).sourceCaseId, u"a"_s);
    QCOMPARE(allCases.value(caseB).sourceId, other);
    QCOMPARE(allCases.value(caseA).metadata.bodySites, (QStringList {u"ARM"_s, u"LEG"_s}));

    const QHash<qint64, QList<qint64>> casesOfImage = cases.casesOfEachImage(&error);
    QCOMPARE(casesOfImage.size(), 2);
    for (qint64 id : std::as_const(ids))
        QCOMPARE(casesOfImage.value(id), cases.casesOfImage(id, &error));
    QCOMPARE(casesOfImage.value(ids[0]), (QList<qint64> {caseA, caseB}));

    const QList<QPair<qint64, ReferenceLabel>> labels = cases.allReferenceLabels(&error);
    QCOMPARE(labels.size(), 3);
    QCOMPARE(labels.at(0).first, caseA); // in the order they were stored
    QCOMPARE(labels.at(0).second.value, u"3"_s);
    QCOMPARE(labels.at(1).first, caseB);
    QCOMPARE(labels.at(1).second.field, u"monk_skin_tone_india"_s);
    QCOMPARE(labels.at(2).second.field, u"weighted_skin_condition_label"_s);
    QVERIFY(error.isEmpty());
}

void TestRepositories::masksAtOnce()
{
    QString error;
    const qint64 image1 = addImage(1), image2 = addImage(2), image3 = addImage(3);
    const qint64 lee = addUser(u"dr.lee"_s, Role::Annotator), amara = addUser(u"dr.amara"_s, Role::Annotator);
    const qint64 a1 = addAnnotation(image1, lee), a2 = addAnnotation(image1, amara), a3 = addAnnotation(image2, lee);
    addAnnotation(image3, lee); // no masks
    MaskRepository masks(*m_store);
    QCOMPARE(masks.addVersion(a1, u"condition:acne"_s, u"rle"_s, 4, 4, "1", &error), 1);
    QCOMPARE(masks.addVersion(a1, u"condition:acne"_s, u"rle"_s, 4, 4, "2", &error), 2);
    QCOMPARE(masks.addVersion(a1, u"identifying:face"_s, u"rle"_s, 4, 4, "3", &error), 1);
    QCOMPARE(masks.addVersion(a2, u"condition:acne"_s, u"rle"_s, 4, 4, "4", &error), 1);
    QCOMPARE(masks.addVersion(a3, u"condition:eczema"_s, u"rle"_s, 4, 4, "5", &error), 1);

    const QHash<qint64, QList<MaskRecord>> latest = masks.latestOfEachLayerByAnnotation(&error);
    QCOMPARE(latest.size(), 3);
    for (qint64 annotation : {a1, a2, a3}) {
        const QList<MaskRecord> one = masks.latestOfEachLayer(annotation, &error);
        const QList<MaskRecord> batched = latest.value(annotation);
        QCOMPARE(batched.size(), one.size());
        for (qsizetype i = 0; i < one.size(); ++i) {
            QCOMPARE(batched.at(i).id, one.at(i).id);
            QCOMPARE(batched.at(i).layer, one.at(i).layer);
            QCOMPARE(batched.at(i).version, one.at(i).version);
            QCOMPARE(batched.at(i).data, one.at(i).data);
        }
    }
    QCOMPARE(latest.value(a1).first().data, QByteArray("2"));

    const QList<MaskedAnnotation> masked = masks.maskedAnnotations(&error);
    QCOMPARE(masked.size(), 3); // each annotation once, however many versions
    QCOMPARE(masked.at(0).imageId, image1);
    QCOMPARE(masked.at(0).raterName, u"dr.amara"_s); // by image, then rater name
    QCOMPARE(masked.at(0).annotationId, a2);
    QCOMPARE(masked.at(1).raterName, u"dr.lee"_s);
    QCOMPARE(masked.at(2).imageName, u"img-002"_s);
    QVERIFY(error.isEmpty());
}

void TestRepositories::consensusAtOnce()
{
    QString error;
    const qint64 image1 = addImage(1), image2 = addImage(2), image3 = addImage(3);
    const qint64 qa = addUser(u"qa"_s, Role::Qa);
    ConsensusRepository consensus(*m_store);
    ImageConsensus one;
    one.fields = {{u"gradable"_s, u"yes"_s, ConsensusStatus::Agreed, {}, 2, 2},
                  {u"sensitive"_s, {}, ConsensusStatus::Adjudicate, u"tie"_s, 1, 2}};
    one.differential.conditions = {{u"acne"_s, 0.75, 2}, {u"eczema"_s, 0.25, 1}};
    ImageConsensus two;
    two.fields = {{u"gradable"_s, {}, ConsensusStatus::Adjudicate, u"tie"_s, 1, 2},
                  {u"sensitive"_s, u"no"_s, ConsensusStatus::Agreed, {}, 2, 2}};
    two.differential.conditions = {{u"psoriasis"_s, 1.0, 2}};
    QVERIFY(consensus.replace(image1, one, &error));
    QVERIFY(consensus.replace(image2, two, &error));
    QVERIFY(consensus.saveAdjudication({image3, u"gradable"_s, u"no"_s, u"blurred"_s, qa, {}}, &error));
    QVERIFY(consensus.saveAdjudication({image3, u"sensitive"_s, u"no"_s, u"checked"_s, qa, {}}, &error));

    const QHash<qint64, QList<WeightedCondition>> differentials = consensus.differentials(&error);
    QCOMPARE(differentials.size(), 2);
    for (qint64 image : {image1, image2})
        QCOMPARE(differentials.value(image), consensus.differential(image, &error));
    QCOMPARE(differentials.value(image1).first().conditionId, u"acne"_s);

    QList<ConsensusStatusCount> counts = consensus.statusCounts(&error);
    std::sort(counts.begin(), counts.end(),
              [](const ConsensusStatusCount &a, const ConsensusStatusCount &b) { return a.status < b.status; });
    QCOMPARE(counts.size(), 2);
    QCOMPARE(counts.at(0).status, ConsensusStatus::Agreed);
    QCOMPARE(counts.at(0).fields, 2);
    QCOMPARE(counts.at(0).images, 2);
    QCOMPARE(counts.at(1).status, ConsensusStatus::Adjudicate);
    QCOMPARE(counts.at(1).fields, 2);
    QCOMPARE(consensus.imageCount(&error), 2);
    QCOMPARE(consensus.adjudicatedImages(&error), QList<qint64> {image3});

    QVERIFY(consensus.clear(&error));
    QCOMPARE(consensus.imageCount(&error), 0);
    QVERIFY(consensus.differentials(&error).isEmpty());
    QCOMPARE(consensus.adjudications(image3, &error).size(), 2); // decisions stay
    QVERIFY(error.isEmpty());
}

void TestRepositories::assignmentsAtOnce()
{
    QString error;
    const qint64 image1 = addImage(1), image2 = addImage(2);
    const qint64 lee = addUser(u"dr.lee"_s, Role::Annotator), amara = addUser(u"dr.amara"_s, Role::Annotator);
    AssignmentRepository assignments(*m_store);
    QVERIFY(assignments.add(image1, lee, &error));
    QVERIFY(assignments.add(image1, amara, &error));
    QVERIFY(assignments.add(image2, lee, &error));
    QVERIFY(assignments.setStatus(image1, lee, AssignmentStatus::Done, &error));
    QVERIFY(assignments.setStatus(image1, amara, AssignmentStatus::Skipped, &error));

    QList<AssignmentRecord> all = assignments.all(&error);
    QCOMPARE(all.size(), 3);
    const auto statusOf = [&](qint64 image, qint64 user) {
        const auto it = std::find_if(all.cbegin(), all.cend(), [&](const AssignmentRecord &r) {
            return r.imageId == image && r.userId == user;
        });
        return it == all.cend() ? QString() : it->status;
    };
    QCOMPARE(statusOf(image1, lee), AssignmentStatus::Done);
    QCOMPARE(statusOf(image1, amara), AssignmentStatus::Skipped);
    QCOMPARE(statusOf(image2, lee), AssignmentStatus::Todo);

    const QHash<qint64, QHash<QString, qint64>> counts = assignments.countsByUserAndStatus(&error);
    QCOMPARE(counts.value(lee).value(AssignmentStatus::Done), 1);
    QCOMPARE(counts.value(lee).value(AssignmentStatus::Todo), 1);
    QCOMPARE(counts.value(amara), (QHash<QString, qint64> {{AssignmentStatus::Skipped, 1}}));

    // A skipped assignment expects no label.
    QCOMPARE(assignments.expectedRaters(image1, &error), std::optional<int>(1));
    QCOMPARE(assignments.expectedRaters(image2, &error), std::optional<int>(1));
    QCOMPARE(assignments.expectedRaters(addImage(3), &error), std::optional<int>(0));
    const QHash<qint64, int> expected = assignments.expectedRatersPerImage(&error);
    QCOMPARE(expected, (QHash<qint64, int> {{image1, 1}, {image2, 1}}));
    QVERIFY(error.isEmpty());
}

void TestRepositories::usersAndSources()
{
    QString error;
    UserRepository users(*m_store);
    const qint64 admin = addUser(u"admin"_s, Role::Admin);
    const qint64 lee = addUser(u"dr.lee"_s, Role::Annotator);
    addUser(u"second"_s, Role::Admin);
    QCOMPARE(users.countActive(Role::Admin, &error), 2);
    QVERIFY(users.setActive(admin, false, &error));
    QCOMPARE(users.countActive(Role::Admin, &error), 1);
    QVERIFY(users.setRole(lee, Role::Admin, &error));
    QCOMPARE(users.findById(lee)->role, Role::Admin);
    QCOMPARE(users.countActive(Role::Admin, &error), 2);
    QCOMPARE(users.countActive(Role::Annotator, &error), 0);

    SourceRepository sources(*m_store);
    QCOMPARE(sources.lastRunStatus(m_source, &error), QString());
    const qint64 first = sources.startRun(m_source, &error);
    QVERIFY(sources.finishRun(first, u"cancelled"_s, {}, &error));
    QCOMPARE(sources.lastRunStatus(m_source, &error), u"cancelled"_s);
    sources.startRun(m_source, &error);
    QCOMPARE(sources.lastRunStatus(m_source, &error), u"running"_s);
    QVERIFY(error.isEmpty());
}

QTEST_GUILESS_MAIN(TestRepositories)
#include "tst_repositories.moc"
