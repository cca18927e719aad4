// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "masks/MaskLayer.h"

#include <QSize>
#include <QString>
#include <QStringList>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <vector>

namespace dl {

/// The mask layers of one annotation (one rater, one image).
///
/// Every mask is CV_8UC1, 0 = outside, 255 = inside, and has the size of the image AS DISPLAYED:
/// after its EXIF orientation is applied, as ImageDecoder returns it (an image stored 4000 x 3000
/// with orientation 6 has 3000 x 4000 masks). The pixels of a layer are allocated on first use
/// (all outside). The document remembers which layers changed since they were last saved.
///
/// Move-only: masks are large, so copying is explicit (clone()). Undo commands keep a pointer to
/// the document, so keep it at one address while they live (hold it in a std::unique_ptr, say).
class MaskDocument
{
public:
    MaskDocument() = default;
    /// An empty document for an image of this displayed size (width x height).
    explicit MaskDocument(QSize size);
    MaskDocument(MaskDocument &&) noexcept;
    MaskDocument &operator=(MaskDocument &&) noexcept;
    ~MaskDocument();

    /// A deep copy (masks included).
    MaskDocument clone() const;

    bool isNull() const { return m_size.isEmpty(); }
    QSize size() const { return m_size; }
    cv::Size cvSize() const { return { m_size.width(), m_size.height() }; }

    /// Whose masks these are: the image, the rater and the annotation row (-1 until known).
    qint64 imageId() const { return m_imageId; }
    qint64 raterId() const { return m_raterId; }
    qint64 annotationId() const { return m_annotationId; }
    void setOwner(qint64 imageId, qint64 raterId)
    {
        m_imageId = imageId;
        m_raterId = raterId;
    }
    void setAnnotationId(qint64 id) { m_annotationId = id; }

    /// Layer ids in the order they were added (the order they are drawn in, bottom first).
    QStringList layerIds() const;
    int layerCount() const { return int(m_layers.size()); }
    bool hasLayer(const QString &id) const { return find(id) != nullptr; }
    /// Adds a layer unless it is there (default style, a colour none of the other layers has) and
    /// returns its style. The id must be a valid MaskLayer id; for an invalid one nothing is added
    /// and nullptr is returned.
    MaskLayer *addLayer(const QString &id);
    /// Adds the layers the annotation's labels call for (MaskLayer::layerIdsFor); keeps the others.
    void addLayersFor(const Annotation &annotation);
    /// Forgets a layer and its pixels (what is stored is not touched).
    bool removeLayer(const QString &id);
    /// The style of a layer (colour, visibility, opacity, outline), or nullptr.
    MaskLayer *layer(const QString &id);
    const MaskLayer *layer(const QString &id) const;

    /// The layer's mask, allocated (all outside) and the layer added on first use. The returned
    /// header shares the document's pixels: tools draw into it directly. Empty for an invalid id or
    /// a null document.
    cv::Mat mask(const QString &id);
    /// The mask if the layer has pixels, else an empty Mat; never allocates.
    cv::Mat maskIfAllocated(const QString &id) const;
    bool hasPixels(const QString &id) const;
    /// Replaces a layer's mask with a copy of \a mask (CV_8UC1 of the document's size; any nonzero
    /// value becomes 255) and marks the layer changed. False with *error otherwise.
    bool setMask(const QString &id, const cv::Mat &mask, QString *error = nullptr);

    /// Changed since the last markSaved (a tool, an undo step or setMask touched it).
    void markChanged(const QString &id);
    bool isChanged(const QString &id) const;
    QStringList changedLayers() const;
    /// Records that the layer's current pixels are stored as this version.
    void markSaved(const QString &id, int version);
    /// The stored version the layer's pixels were loaded from or last saved as; 0 if none.
    int savedVersion(const QString &id) const;
    /// A number that moves on with every change of the layer (markChanged, setMask) and is never
    /// handed out twice in the process (not even to a layer removed and added again): a copy taken
    /// at one revision is out of date once the revision moved on. 0 for a layer never changed or
    /// not there.
    quint64 revision(const QString &id) const;

private:
    struct Entry;
    Entry *find(const QString &id) const;

    QSize m_size;
    qint64 m_imageId = -1;
    qint64 m_raterId = -1;
    qint64 m_annotationId = -1;
    std::vector<std::unique_ptr<Entry>> m_layers;
};

} // namespace dl
