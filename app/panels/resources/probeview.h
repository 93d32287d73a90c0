#pragma once

#include "cairn/remote/probe.h"

#include <QTreeWidget>

namespace cairn::panels {

/// What a probe learnt about a host, one row per fact (OS, CPU, memory, disk, GPUs, Python,
/// worker), with what is missing said as such.
class ProbeView : public QTreeWidget
{
    Q_OBJECT
public:
    explicit ProbeView(QWidget *parent = nullptr);
    void setProbe(const remote::HostProbe &probe, bool local);
    /// The text of the row named `label` (tests).
    QString value(const QString &label) const;

    /// A failed or partial probe in plain words: a headline and what to do.
    struct Explanation
    {
        QString headline;
        QString advice;
        bool ok = false;      ///< connected and the worker answered
        bool hostKey = false; ///< an unknown host key waits for the user's yes
    };
    static Explanation explain(const remote::HostProbe &probe, const QString &hostLabel);
    static QString sizeText(qint64 kib);
};

} // namespace cairn::panels
