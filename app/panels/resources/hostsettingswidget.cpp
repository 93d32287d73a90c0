#include "hostsettingswidget.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

namespace cairn::panels {

using remote::Host;

HostSettingsWidget::HostSettingsWidget(QWidget *parent) : QWidget(parent)
{
    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    m_workDir = new QLineEdit(this);
    m_workDir->setToolTip(tr("Folder on the host for jobs, cached data and kernels; ~/ is the remote home"));
    form->addRow(tr("Remote work folder:"), m_workDir);
    m_cairn = new QLineEdit(this);
    m_cairn->setToolTip(tr("The cairn program on the host (a name on its PATH or a full path)"));
    form->addRow(tr("Worker command:"), m_cairn);
    m_jobLimit = new QSpinBox(this);
    m_jobLimit->setRange(1, 64);
    m_jobLimit->setToolTip(tr("Jobs that may run on the host at once; more wait in the queue"));
    form->addRow(tr("Jobs at once:"), m_jobLimit);
    m_start = new QLineEdit(this);
    m_start->setPlaceholderText(tr("e.g. aws ec2 start-instances --instance-ids i-0abc"));
    m_start->setToolTip(tr("A shell line run on this computer to start the machine (optional)"));
    form->addRow(tr("Start command:"), m_start);
    m_stop = new QLineEdit(this);
    m_stop->setPlaceholderText(tr("e.g. aws ec2 stop-instances --instance-ids i-0abc"));
    m_stop->setToolTip(tr("A shell line run on this computer to stop the machine: by the Stop button and by idle shutdown"));
    form->addRow(tr("Stop command:"), m_stop);
    m_price = new QDoubleSpinBox(this);
    m_price->setRange(0, 100000);
    m_price->setDecimals(3);
    m_price->setToolTip(tr("What the machine costs per hour while it works; shared by the jobs running on it at once"));
    form->addRow(tr("Price per hour:"), m_price);
    m_gpuPrice = new QDoubleSpinBox(this);
    m_gpuPrice->setRange(0, 100000);
    m_gpuPrice->setDecimals(3);
    m_gpuPrice->setToolTip(tr("For machines you own: a price per GPU a job holds and hour, added to its cost"));
    form->addRow(tr("Price per GPU-hour:"), m_gpuPrice);
    m_idle = new QSpinBox(this);
    m_idle->setRange(0, 7 * 24 * 60);
    m_idle->setSuffix(tr(" min"));
    m_idle->setSpecialValueText(tr("never"));
    m_idle->setToolTip(tr("With no job, no busy kernel and no GPU in use for this long, the stop command runs"));
    form->addRow(tr("Idle shutdown after:"), m_idle);
    auto *note = new QLabel(tr("Idle shutdown needs a stop command and runs while Cairn Studio is open."), this);
    note->setWordWrap(true);
    note->setEnabled(false);
    form->addRow(note);
    setHost(Host());
}

void HostSettingsWidget::setHost(const Host &host)
{
    m_workDir->setText(host.workDir);
    m_cairn->setText(host.cairnCommand);
    m_jobLimit->setValue(std::max(1, host.jobLimit));
    m_start->setText(host.startCommand);
    m_stop->setText(host.stopCommand);
    m_price->setValue(host.pricePerHour);
    m_gpuPrice->setValue(host.pricePerGpuHour);
    m_idle->setValue(host.idleTimeoutMinutes);
}

void HostSettingsWidget::apply(Host &host) const
{
    host.workDir = m_workDir->text().trimmed().isEmpty() ? Host().workDir : m_workDir->text().trimmed();
    host.cairnCommand = m_cairn->text().trimmed().isEmpty() ? Host().cairnCommand : m_cairn->text().trimmed();
    host.jobLimit = m_jobLimit->value();
    host.startCommand = m_start->text().trimmed();
    host.stopCommand = m_stop->text().trimmed();
    host.pricePerHour = m_price->value();
    host.pricePerGpuHour = m_gpuPrice->value();
    host.idleTimeoutMinutes = m_idle->value();
}

} // namespace cairn::panels
