// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/MaskDocument.h"
#include "model/Annotation.h"
#include "model/Mask.h"
#include "model/User.h"

#include <QByteArray>
#include <QList>
#include <QSize>
#include <QHash>
#include <QString>
#include <QStringList>
#include <opencv2/core/mat.hpp>
#include <optional>

namespace dl {

class Store;

/// Reading and writing region masks as a signed-in user, with the blinding rules of
/// AnnotationService: an annotator reads and writes only the masks of their own annotation of an
/// image assigned to them; QA leads and admins read every rater's masks; nobody writes another
/// rater's masks.
///
/// Masks have the image's displayed size (EXIF orientation applied: width and height of the images
/// row swapped for orientations 5 to 8). Every save of a layer adds a version (the previous highest
/// plus one, older ones are kept) holding the COCO compressed RLE string (encoding "rle"): a few
/// milliseconds to encode and store a 12-megapixel mask (tests/bench/masks). The masks are encoded
/// before the transaction begins; each save is one transaction that also writes the audit log and,
/// on the first save, creates the (blank) annotation row the masks belong to. saveMasks() works on
/// copies of the pixels, so the labelling screen runs it on a worker thread (LabellingDocument).
class MaskService
{
public:
    MaskService(Store &store, User actor)
        : m_store(store)
        , m_actor(std::move(actor))
    { }

    /// The actor's own masks of an assigned image: the latest version of each stored layer, plus an
    /// empty layer for each diagnosis and identifying kind of the annotation. Owner set to the actor.
    std::optional<MaskDocument> openOwn(qint64 imageId, QString *error) const;
    /// A rater's masks: the actor's own (as openOwn), or anyone's for QA leads and admins.
    std::optional<MaskDocument> open(qint64 imageId, qint64 raterId, QString *error) const;

    /// Saves one layer of a document the actor owns (document.raterId() is the actor) as a new
    /// version and returns it. A layer without pixels is saved as an empty mask. When the layer's
    /// content equals its latest stored version nothing is written and that version is returned.
    /// Marks the layer saved in the document.
    /// The save is based on the version the document's layer was loaded from or last saved as
    /// (MaskDocument::savedVersion(), 0 for none): when the layer was saved elsewhere since (the
    /// same rater in another window or on another workstation), nothing is written, *result (when
    /// given) is SaveResult::Conflict and *conflicts (when given) receives the layer with its
    /// latest stored version; the document keeps its pixels, still unsaved.
    std::optional<int> save(MaskDocument &document, const QString &layerId, QString *error,
        SaveResult *result = nullptr, QHash<QString, int> *conflicts = nullptr);
    /// Saves every changed layer (MaskDocument::changedLayers()) in one transaction, each based on
    /// its saved version as save() is: SaveResult::Conflict, with nothing written, when any of them
    /// was saved elsewhere since (*conflicts receives those layers and their latest stored versions).
    SaveResult saveChanged(MaskDocument &document, QString *error, QHash<QString, int> *conflicts);
    /// saveChanged() for callers that treat a conflict as any other failure (with a message).
    bool saveChanged(MaskDocument &document, QString *error)
    {
        return saveChanged(document, error, nullptr) == SaveResult::Saved;
    }

    /// The pixels of one layer to save: CV_8UC1 (nonzero = inside) of the masks' size, or empty
    /// for an empty mask.
    struct LayerPixels
    {
        QString layerId;
        cv::Mat mask;
        /// The stored version these pixels were based on (0: none stored yet), or -1 to save
        /// whatever is stored. A save based on a version that is no longer the latest, with other
        /// pixels than the latest, is a conflict.
        int baseVersion = -1;
    };
    /// Saves layers of the actor's own masks of an image, of this size (the image's displayed
    /// size), as save() does but from pixels rather than a document: it touches nothing but the
    /// store, so it may run on any thread (each thread has its own connection). One transaction;
    /// returns the version of each layer, in order, and sets *annotationId to the annotation row
    /// the masks belong to. When a layer was saved elsewhere since its baseVersion (another window
    /// or workstation of the same rater), nothing is written: std::nullopt, and *conflicts (when
    /// given) receives each such layer with its latest stored version.
    std::optional<QList<int>> saveMasks(qint64 imageId, QSize size, const QList<LayerPixels> &layers,
        QString *error, qint64 *annotationId = nullptr, QHash<QString, int> *conflicts = nullptr);

    /// The stored versions of a rater's layer (of all layers when layerId is empty), without data.
    std::optional<QList<MaskRecord>> versions(
        qint64 imageId, qint64 raterId, const QString &layerId, QString *error) const;
    /// One stored version of a rater's layer.
    std::optional<cv::Mat> loadVersion(
        qint64 imageId, qint64 raterId, const QString &layerId, int version, QString *error) const;

    /// The size masks of this image have: its displayed size.
    std::optional<QSize> displayedSize(qint64 imageId, QString *error) const;

    /// The stored form of a mask: the COCO compressed counts string of CocoRle (encoding "rle").
    static QByteArray encode(const cv::Mat &mask);
    /// A stored version back as CV_8UC1 0/255 of the record's size ("rle", or "png" as MaskCodec
    /// writes it); an empty Mat and *error when the data is damaged or the encoding unknown.
    static cv::Mat decode(const MaskRecord &record, QString *error);
    /// The encoding save() writes.
    static QString encodingName();

private:
    bool checkAssigned(qint64 imageId, QString *error) const;
    bool checkRead(qint64 imageId, qint64 raterId, QString *error) const;
    std::optional<qint64> annotationOf(qint64 imageId, qint64 raterId, QString *error) const;
    std::optional<QList<int>> saveLayers(MaskDocument &document, const QStringList &layerIds, QString *error,
        SaveResult *result, QHash<QString, int> *conflicts);

    Store &m_store;
    User m_actor;
};

} // namespace dl
