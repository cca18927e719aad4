// SPDX-License-Identifier: GPL-3.0-or-later
#include "masks/MaskDocument.h"

#include "model/Annotation.h"

#include <QCoreApplication>
#include <atomic>
#include <opencv2/core.hpp>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

// Revisions of all documents come from one counter: never reused, on any thread.
std::atomic<quint64> s_revisions {0};

quint64 nextRevision()
{
    return s_revisions.fetch_add(1, std::memory_order_relaxed) + 1;
}

} // namespace

struct MaskDocument::Entry
{
    MaskLayer layer;
    cv::Mat mask;
    bool changed = false;
    int savedVersion = 0;
    quint64 revision = 0;
};

MaskDocument::MaskDocument(QSize size)
    : m_size(size.isValid() ? size : QSize())
{ }

MaskDocument::MaskDocument(MaskDocument &&) noexcept = default;
MaskDocument &MaskDocument::operator=(MaskDocument &&) noexcept = default;
MaskDocument::~MaskDocument() = default;

MaskDocument MaskDocument::clone() const
{
    MaskDocument copy(m_size);
    copy.m_imageId = m_imageId;
    copy.m_raterId = m_raterId;
    copy.m_annotationId = m_annotationId;
    for (const auto &entry : m_layers) {
        auto e = std::make_unique<Entry>(*entry);
        e->mask = entry->mask.clone();
        copy.m_layers.push_back(std::move(e));
    }
    return copy;
}

MaskDocument::Entry *MaskDocument::find(const QString &id) const
{
    for (const auto &entry : m_layers) {
        if (entry->layer.id() == id)
            return entry.get();
    }
    return nullptr;
}

QStringList MaskDocument::layerIds() const
{
    QStringList ids;
    ids.reserve(qsizetype(m_layers.size()));
    for (const auto &entry : m_layers)
        ids.append(entry->layer.id());
    return ids;
}

MaskLayer *MaskDocument::addLayer(const QString &id)
{
    if (Entry *entry = find(id))
        return &entry->layer;
    if (!MaskLayer::isValidId(id))
        return nullptr;
    QList<QColor> taken;
    for (const auto &entry : m_layers)
        taken.append(entry->layer.colour());
    auto entry = std::make_unique<Entry>();
    entry->layer = MaskLayer(id);
    entry->layer.setColour(MaskLayer::defaultColour(id, taken));
    m_layers.push_back(std::move(entry));
    return &m_layers.back()->layer;
}

void MaskDocument::addLayersFor(const Annotation &annotation)
{
    for (const QString &id : MaskLayer::layerIdsFor(annotation))
        addLayer(id);
}

bool MaskDocument::removeLayer(const QString &id)
{
    for (auto it = m_layers.begin(); it != m_layers.end(); ++it) {
        if ((*it)->layer.id() == id) {
            m_layers.erase(it);
            return true;
        }
    }
    return false;
}

MaskLayer *MaskDocument::layer(const QString &id)
{
    Entry *entry = find(id);
    return entry ? &entry->layer : nullptr;
}

const MaskLayer *MaskDocument::layer(const QString &id) const
{
    const Entry *entry = find(id);
    return entry ? &entry->layer : nullptr;
}

cv::Mat MaskDocument::mask(const QString &id)
{
    if (isNull() || !addLayer(id))
        return {};
    Entry *entry = find(id);
    if (entry->mask.empty())
        entry->mask = cv::Mat::zeros(m_size.height(), m_size.width(), CV_8UC1);
    return entry->mask;
}

cv::Mat MaskDocument::maskIfAllocated(const QString &id) const
{
    const Entry *entry = find(id);
    return entry ? entry->mask : cv::Mat();
}

bool MaskDocument::hasPixels(const QString &id) const
{
    const Entry *entry = find(id);
    return entry && !entry->mask.empty();
}

bool MaskDocument::setMask(const QString &id, const cv::Mat &mask, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!MaskLayer::isValidId(id))
        return fail(QCoreApplication::translate("dl::MaskDocument", "Unknown mask layer \"%1\".").arg(id));
    if (mask.type() != CV_8UC1 || mask.cols != m_size.width() || mask.rows != m_size.height())
        return fail(
            QCoreApplication::translate("dl::MaskDocument", "The mask is %1 x %2 but the image is %3 x %4.")
                .arg(mask.cols)
                .arg(mask.rows)
                .arg(m_size.width())
                .arg(m_size.height()));
    addLayer(id);
    Entry *entry = find(id);
    // In place when the layer has pixels (headers handed out by mask() stay valid); never shares the
    // caller's buffer.
    cv::compare(mask, 0, entry->mask, cv::CMP_NE);
    entry->changed = true;
    entry->revision = nextRevision();
    return true;
}

void MaskDocument::markChanged(const QString &id)
{
    if (Entry *entry = find(id)) {
        entry->changed = true;
        entry->revision = nextRevision();
    }
}

bool MaskDocument::isChanged(const QString &id) const
{
    const Entry *entry = find(id);
    return entry && entry->changed;
}

QStringList MaskDocument::changedLayers() const
{
    QStringList ids;
    for (const auto &entry : m_layers) {
        if (entry->changed)
            ids.append(entry->layer.id());
    }
    return ids;
}

void MaskDocument::markSaved(const QString &id, int version)
{
    if (Entry *entry = find(id)) {
        entry->changed = false;
        entry->savedVersion = version;
    }
}

int MaskDocument::savedVersion(const QString &id) const
{
    const Entry *entry = find(id);
    return entry ? entry->savedVersion : 0;
}

quint64 MaskDocument::revision(const QString &id) const
{
    const Entry *entry = find(id);
    return entry ? entry->revision : 0;
}

} // namespace dl
