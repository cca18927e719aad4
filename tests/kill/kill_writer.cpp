// SPDX-License-Identifier: GPL-3.0-or-later
// The writer that tst_kill kills. It works on a local store as the workstation and an import do:
//
//   kill_writer STORE FOLDER FIRST_TOKEN
//
// takes the store's writer lock (a lock left by a killed writer is stale and taken over), imports
// FOLDER (resuming what a killed run left), assigns every image to the annotator "dr.kill", then
// saves labels and masks of those images, one after another, until it is killed. After each
// commit it prints one line on stdout, flushed:
//   imported N           the import finished; N images in the store
//   label IMAGE TOKEN    a label save committed: the note of IMAGE is TOKEN
//   mask IMAGE VERSION   a mask save committed: the mask layer of IMAGE is at VERSION
// Tokens grow from FIRST_TOKEN, so a later save always carries a larger one. Errors go to stderr
// with exit status 2.
#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "import/ImportService.h"
#include "masks/MaskDocument.h"
#include "masks/MaskLayer.h"
#include "model/LabelVocabulary.h"
#include "masks/MaskService.h"
#include "model/User.h"
#include "session/SessionService.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QCoreApplication>
#include <QTextStream>

#include <opencv2/imgproc.hpp>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace dl;

static int fail(const QString &message)
{
    QTextStream(stderr) << "kill_writer: " << message << '\n';
    return 2;
}

static void report(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 4)
        return fail(u"usage: kill_writer STORE FOLDER FIRST_TOKEN"_s);
    qint64 token = args[3].toLongLong();
    QString error;
    auto store = Store::open(args[1], Store::OpenMode::MustExist, &error);
    if (!store || !store->lockForWriting(&error))
        return fail(error);

    ImportOptions options;
    options.batchSize = 16;
    options.faceCheck = false;
    const ImportReport imported = ImportService(*store).importPath(ImportKind::Folder, args[2], options);
    if (imported.failed())
        return fail(imported.error);
    const auto annotator = UserRepository(*store).findByName(u"dr.kill"_s, &error);
    if (!annotator)
        return fail(u"no user dr.kill: "_s + error);
    AssignmentRequest request;
    request.k = 1;
    if (!AssignmentService(*store, User::commandLine()).assign(request, &error))
        return fail(error);
    const auto queue = SessionService(*store).queue(*annotator, &error);
    if (!queue)
        return fail(error);
    QList<qint64> images;
    for (const QueueEntry &entry : *queue)
        images.append(entry.image.id);
    report("imported " + QByteArray::number(images.size()));
    if (images.isEmpty())
        return fail(u"no images assigned"_s);

    AnnotationService labels(*store, *annotator);
    MaskService masks(*store, *annotator);
    // A region of an identifying feature: a layer that needs no diagnosis in the labels.
    const QString layer = MaskLayer::identifyingLayerId(LabelVocabulary::identifyingKinds().first().id);
    for (qint64 step = 0;; ++step) {
        const qint64 imageId = images.at(step % images.size());
        if (step % 4 != 3) {
            auto annotation = labels.own(imageId, &error);
            if (!annotation)
                return fail(error);
            ++token;
            annotation->gradable = true;
            annotation->note = QString::number(token);
            if (!labels.save(*annotation, &error))
                return fail(error);
            report("label " + QByteArray::number(imageId) + ' ' + QByteArray::number(token));
        } else {
            auto document = masks.openOwn(imageId, &error);
            if (!document)
                return fail(error);
            if (!document->hasLayer(layer) && !document->addLayer(layer))
                return fail(u"cannot add a layer"_s);
            cv::Mat mask = document->mask(layer);
            cv::circle(mask, {int(step % mask.cols), int(step % mask.rows)}, 3 + int(step % 7), cv::Scalar(255), -1);
            document->markChanged(layer);
            const auto version = masks.save(*document, layer, &error);
            if (!version)
                return fail(error);
            report("mask " + QByteArray::number(imageId) + ' ' + QByteArray::number(*version));
        }
    }
}
