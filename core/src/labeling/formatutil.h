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
/// A confidence: a number (or a numeric string) from 0 to 1.
bool confidenceFrom(const QJsonValue &v, double *out);
bool isConfidence(double c);
/// Box coordinates beyond this many pixels are refused (no image is that large, and they would
/// not fit the integers boxes are stored in).
constexpr double kMaxBoxCoordinate = 1000000;
/// A box from pixel coordinates (rounded to whole pixels). Returns an empty string and fills
/// `out`, or says what is wrong ("width 4294967297 is beyond 1000000 pixels", "no area (0×3)").
QString boxFrom(double left, double top, double width, double height, Box *out);
/// Whether a box lies wholly outside an image of the given size (false when the size is unknown).
bool boxOutsideImage(const Box &b, const ImageSize &size);
/// The largest integer a JSON number holds exactly (2^53).
constexpr double kMaxJsonInteger = 9007199254740992.0;
/// An image id or dimension written as a whole number: false for 4.5, 1e300 or a string.
bool wholeNumberFrom(const QJsonValue &v, double limit, qint64 *out);
/// The offset of the first thing in a JSON text that strict JSON (RFC 8259) forbids and
/// QJsonDocument lets through (an escape such as \q, a raw control character in a string), or
/// -1; `why` says which.
qsizetype laxJsonAt(const QByteArray &text, QString *why);
/// The 1-based line of the first line that is not valid UTF-8 or holds a NUL or other control
/// character (tab excepted), or 0. `why` says which.
int badTextLine(const QByteArray &text, QString *why);
/// The folder all sources share (for relative file names in COCO).
QString commonDir(const LabelingJob &job);
/// A unique file stem per item for YOLO and VOC files (the image's stem, or its path relative to
/// commonDir with '/' as "__" when stems collide).
QHash<int, QString> labelFileStems(const LabelingJob &job);
/// Reads the image size of an item from its record or its header; invalid if unreadable.
ImageSize imageSizeOf(const Item &item);

} // namespace cairn::labeling::Internal
