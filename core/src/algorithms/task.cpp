#include "cairn/algorithms/task.h"

namespace cairn {

QString taskName(Task task)
{
    switch (task) {
    case Task::Binary: return QStringLiteral("binary");
    case Task::Multiclass: return QStringLiteral("multiclass");
    case Task::Regression: return QStringLiteral("regression");
    case Task::Clustering: return QStringLiteral("clustering");
    case Task::ImageClassification: return QStringLiteral("image-classification");
    }
    return {};
}

std::optional<Task> taskFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    for (Task t : {Task::Binary, Task::Multiclass, Task::Regression, Task::Clustering, Task::ImageClassification})
        if (taskName(t) == n)
            return t;
    if (n == QLatin1String("classification"))
        return Task::Multiclass;
    return std::nullopt;
}

} // namespace cairn
