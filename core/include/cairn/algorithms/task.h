#pragma once

#include <QString>

#include <optional>

namespace cairn {

/// What a model learns to do.
enum class Task { Binary, Multiclass, Regression, Clustering, ImageClassification };

QString taskName(Task task);
std::optional<Task> taskFromName(const QString &name);
inline bool isClassification(Task t) { return t == Task::Binary || t == Task::Multiclass || t == Task::ImageClassification; }

} // namespace cairn
