// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QRect>
#include <QString>

#include <functional>
#include <optional>

namespace dl {

class FaceDetector;
class Store;

/// A possible face on an image, found by the face check.
struct FaceFlag
{
    qint64 imageId = -1;
    QString imageName;
    QList<QRect> faces;  ///< in displayed-image coordinates
    QString status;      ///< open, confirmed, dismissed
};

struct FaceCheckSummary
{
    int checked = 0;
    int flagged = 0;   ///< images with a possible face (new or already flagged)
    int newFlags = 0;
};

/// Runs the frontal-face check (FaceDetector) over a store's images and keeps its findings as
/// image flags for suitability review; a QA lead or admin confirms or dismisses each flag.
/// An open flag holds the image back from export; a confirmed one needs a face region to
/// redact. Re-running keeps the review state of flags already there.
///
/// The import does not wait for the check: it marks each new image as pending (an image flag of
/// pendingKind(), stored with the image's rows) and runPending() checks the pending images
/// afterwards, in the background in the workstation. A pending image is held back from export
/// (the release gate's "face check pending") until its check has run.
class FaceCheck
{
    Q_DECLARE_TR_FUNCTIONS(dl::FaceCheck)

public:
    FaceCheck(Store &store, User actor) : m_store(store), m_actor(std::move(actor)) { }

    /// Checks every image (admins). `progress(done, total)` may return false to stop early;
    /// what was found so far is kept.
    std::optional<FaceCheckSummary> run(QString *error, const std::function<bool(int, int)> &progress = {});

    /// Checks the images still waiting for the check (admins), several at a time on the global
    /// thread pool; each chunk's flags and the end of its images' wait are stored in one
    /// transaction. `progress(done, total)` may return false to stop early: the images not yet
    /// checked keep waiting.
    std::optional<FaceCheckSummary> runPending(QString *error, const std::function<bool(int, int)> &progress = {});
    /// The number of images waiting for the check.
    std::optional<int> pendingCount(QString *error) const;

    /// The image flag kind that marks an image not yet checked: "face_pending".
    static QString pendingKind();
    /// Marks a new image as waiting for the check (inside the caller's transaction).
    static bool markPending(const Store &store, qint64 imageId, QString *error);

    /// The possible faces in an encoded image, in the coordinates of its displayed size (EXIF
    /// orientation applied): decoded at the detector's working size, so a 12-megapixel JPEG costs
    /// a reduced decode and a cascade pass on 800 pixels. Nullopt and *error when the image
    /// cannot be decoded.
    static std::optional<QList<QRect>> detect(
        FaceDetector &detector, const QByteArray &encoded, QSize displayedSize, QString *error);
    /// Adds an open face flag for an image unless it has one (inside the caller's transaction),
    /// with its audit entry. Returns whether a flag was added; nullopt on a store error.
    static std::optional<bool> recordFlag(
        const Store &store, qint64 actorId, qint64 imageId, const QList<QRect> &faces, QString *error);
    /// The face flag of an image, if any (everyone who may see the image).
    std::optional<FaceFlag> flag(qint64 imageId, QString *error) const;
    /// All flags (QA leads and admins).
    std::optional<QList<FaceFlag>> flags(QString *error) const;
    /// Confirms (a face is there) or dismisses (it is not) a flag; audited.
    bool resolve(qint64 imageId, bool confirmed, QString *error);

private:
    Store &m_store;
    User m_actor;
};

} // namespace dl
