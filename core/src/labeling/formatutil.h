#pragma once
// Helpers shared by the label file formats (not exported).

#include "cairn/labeling/labelingjob.h"

#include <QByteArray>
#include <QHash>
#include <QJsonValue>
#include <QString>

namespace cairn::labeling::Internal {

/// A JSON string literal, quoted and escaped.
QString jsonString(const QString &s);
/// A JSON number that always reads as a float ("1.0", "0.95").
QString jsonReal(double v);
/// The 1-based line of a byte offset.
int lineAt(const QByteArray &text, qsizetype offset);
/// The line where each element of the top-level array `key` starts (for errors in big JSON files).
QList<int> arrayElementLines(const QByteArray &text, const QString &key);
/// A class id written as 0 or "0"; -1 if the value is neither.
int classIdFrom(const QJsonValue &v);
/// Numbers that may be written as strings.
bool numberFrom(const QJsonValue &v, double *out);
/// The folder all sources share (for relative file names in COCO).
QString commonDir(const LabelingJob &job);
/// A unique file stem per item for YOLO and VOC files (the image's stem, or its path relative to
/// commonDir with '/' as "__" when stems collide).
QHash<int, QString> labelFileStems(const LabelingJob &job);
/// Reads the image size of an item from its record or its header; invalid if unreadable.
ImageSize imageSizeOf(const Item &item);

} // namespace cairn::labeling::Internal
