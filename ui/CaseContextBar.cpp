// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaseContextBar.h"

#include "annotation/ReferenceLabelAccess.h"
#include "release/FaceCheck.h"
#include "session/ImageService.h"

#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QImage>
#include <QLabel>
#include <QPixmap>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace dl {

static constexpr int ThumbnailEdge = 64;

CaseContextBar::CaseContextBar(Store &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
{
    setObjectName(u"caseContext"_s);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->setSpacing(10);
    m_thumbnails = new QHBoxLayout;
    m_thumbnails->setSpacing(4);
    layout->addLayout(m_thumbnails);
    m_metadata = new QLabel(this);
    m_metadata->setWordWrap(true);
    m_metadata->setTextFormat(Qt::RichText);
    m_metadata->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    layout->addWidget(m_metadata, 1);
    m_faceFlag = new QLabel(this);
    m_faceFlag->setObjectName(u"faceFlag"_s);
    m_faceFlag->setWordWrap(true);
    m_faceFlag->setTextFormat(Qt::RichText);
    m_faceFlag->setMaximumWidth(380);
    m_faceFlag->setStyleSheet(
        u"QLabel#faceFlag { background: #fff3cd; color: #5c4400; border: 1px solid #e0b84c; border-radius: 3px;"
        " padding: 3px 6px; }"_s);
    m_faceFlag->hide();
    layout->addWidget(m_faceFlag);
    setFixedHeight(ThumbnailEdge + 12);
}

/// "AGE_30_TO_39" -> "30 to 39"; "ONE_TO_FOUR_WEEKS" -> "one to four weeks".
static QString readable(QString value)
{
    if (value.startsWith(u"AGE_"_s))
        value = value.mid(4);
    value.replace(u'_', u' ');
    return value.toLower();
}

void CaseContextBar::showImage(qint64 imageId)
{
    showFaceFlag(imageId);
    while (QLayoutItem *item = m_thumbnails->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    QString error;
    const ImageService images(m_store);
    const auto context = images.caseOf(imageId, &error);
    if (!context) {
        m_metadata->setText(tr("<i>This image belongs to no case.</i>"));
        return;
    }
    for (qint64 id : context->imageIds) {
        auto *label = new QLabel(this);
        const QImage thumbnail = images.thumbnail(id, &error);
        label->setPixmap(QPixmap::fromImage(
            thumbnail.scaled(ThumbnailEdge, ThumbnailEdge, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
        label->setFixedSize(ThumbnailEdge + 4, ThumbnailEdge + 4);
        label->setAlignment(Qt::AlignCenter);
        label->setStyleSheet(id == imageId ? u"border: 2px solid palette(highlight);"_s : u"border: 2px solid transparent;"_s);
        label->setToolTip(id == imageId ? tr("This image") : tr("Another image of the same case"));
        m_thumbnails->addWidget(label);
    }
    const CaseMetadata &m = context->metadata;
    QStringList parts;
    auto add = [&parts](const QString &name, const QString &value) {
        if (!value.isEmpty())
            parts << u"<b>%1</b> %2"_s.arg(name.toHtmlEscaped(), value.toHtmlEscaped());
    };
    add(tr("Age"), !m.ageYears ? readable(m.ageGroup) : *m.ageYears == 1 ? tr("1 year") : tr("%1 years").arg(*m.ageYears));
    add(tr("Sex"), m.sex);
    add(tr("Body site"), m.bodySites.join(u", "_s).replace(u'_', u' '));
    add(tr("Duration"), readable(m.duration));
    add(tr("Symptoms"), m.symptoms.join(u", "_s).replace(u'_', u' '));
    QString text = parts.isEmpty() ? tr("<i>No case details.</i>") : parts.join(u" &nbsp;·&nbsp; "_s);
    const QString reference = referenceText(imageId);
    if (!reference.isEmpty())
        text += u"<br>"_s + reference;
    m_metadata->setText(text);
}

void CaseContextBar::showFaceFlag(qint64 imageId)
{
    m_faceFlag->clear();
    m_faceFlag->hide();
    if (!m_viewer)
        return;
    QString error;
    const auto flag = FaceCheck(m_store, *m_viewer).flag(imageId, &error);
    if (!flag || flag->imageId < 0 || flag->status == u"dismissed"_s)
        return; // no flag, or a QA lead found no face
    const QString regions = flag->faces.size() == 1 ? tr("1 region") : tr("%1 regions").arg(flag->faces.size());
    if (flag->status == u"confirmed"_s) {
        m_faceFlag->setText(tr("<b>Face confirmed</b> by QA (%1). Tick <i>Identifying: face</i> and mark its region so "
                               "it is covered on export.")
                                .arg(regions));
    } else {
        m_faceFlag->setText(tr("<b>Possible face</b> found by the face check (%1). If a face shows, tick "
                               "<i>Identifying: face</i> and mark its region; QA confirms or dismisses the flag.")
                                .arg(regions));
    }
    m_faceFlag->setToolTip(tr("The frontal-face check flags images for suitability review; an image with an open "
                              "flag is held back from export."));
    m_faceFlag->show();
}

QString CaseContextBar::faceFlagText() const
{
    return m_faceFlag->isHidden() ? QString() : m_faceFlag->text();
}

QString CaseContextBar::referenceText(qint64 imageId) const
{
    if (!m_viewer)
        return {};
    QString error;
    const auto labels = ReferenceLabelAccess::forImage(m_store, *m_viewer, imageId, &error);
    if (!labels || labels->isEmpty())
        return {}; // blinded, or nothing came with the dataset
    QStringList parts, fitzpatrick, monk;
    for (const ReferenceLabel &label : *labels) {
        if (label.field == u"weighted_skin_condition_label"_s) {
            QList<std::pair<double, QString>> weights;
            const QJsonObject object = QJsonDocument::fromJson(label.value.toUtf8()).object();
            for (auto it = object.begin(); it != object.end(); ++it)
                weights.append({it.value().toDouble(), it.key()});
            std::sort(weights.begin(), weights.end(), std::greater<>());
            QStringList names;
            for (qsizetype i = 0; i < std::min<qsizetype>(3, weights.size()); ++i)
                names << u"%1 %2%"_s.arg(weights.at(i).second).arg(qRound(weights.at(i).first * 100));
            if (!names.isEmpty())
                parts << names.join(u", "_s);
        } else if (label.field == u"fitzpatrick"_s) {
            fitzpatrick << label.value;
        } else if (label.field.startsWith(u"monk_skin_tone_"_s)) {
            monk << label.value;
        }
    }
    if (!fitzpatrick.isEmpty())
        parts << tr("Fitzpatrick %1").arg(fitzpatrick.join(u", "_s));
    if (!monk.isEmpty())
        parts << tr("Monk %1").arg(monk.join(u", "_s));
    if (parts.isEmpty())
        return {};
    return u"<b>%1</b> %2"_s.arg(tr("Reference (training store)").toHtmlEscaped(),
                                 parts.join(u"  ·  "_s).toHtmlEscaped());
}

QString CaseContextBar::metadataText() const
{
    return m_metadata->text();
}

int CaseContextBar::thumbnailCount() const
{
    return m_thumbnails->count();
}

} // namespace dl
