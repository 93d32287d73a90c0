#pragma once

#include "cairn/remote/host.h"

#include <QWidget>

class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace cairn::panels {

/// A host's settings past its address: the remote work folder, jobs at once, start and stop
/// commands, prices and the idle timeout. Shared by the Add host wizard and the Settings dialog.
class HostSettingsWidget : public QWidget
{
    Q_OBJECT
public:
    explicit HostSettingsWidget(QWidget *parent = nullptr);

    void setHost(const remote::Host &host);
    /// Writes the fields into `host` (its address fields are left alone).
    void apply(remote::Host &host) const;

    QLineEdit *workDirEdit() const { return m_workDir; }
    QLineEdit *startCommandEdit() const { return m_start; }
    QLineEdit *stopCommandEdit() const { return m_stop; }
    QDoubleSpinBox *priceEdit() const { return m_price; }
    QDoubleSpinBox *gpuPriceEdit() const { return m_gpuPrice; }
    QSpinBox *idleTimeoutEdit() const { return m_idle; }

private:
    QLineEdit *m_workDir;
    QLineEdit *m_cairn;
    QSpinBox *m_jobLimit;
    QLineEdit *m_start;
    QLineEdit *m_stop;
    QDoubleSpinBox *m_price;
    QDoubleSpinBox *m_gpuPrice;
    QSpinBox *m_idle;
};

} // namespace cairn::panels
