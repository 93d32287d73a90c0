#pragma once

#include "cairn/remote/host.h"

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

namespace cairn::remote {

/// The protocol between a job manager and `cairn worker` on another machine (the spec, the
/// events file, the control file, the exit-code file). A worker of another protocol is refused.
constexpr int kWorkerProtocol = 1;

/// What `cairn worker --handshake` prints (one JSON object).
QJsonObject workerHandshake();

/// One GPU as nvidia-smi reports it. Numbers are -1 where the driver says [N/A].
struct GpuInfo
{
    int index = 0;
    QString name;
    double memoryTotalMiB = -1;
    double memoryUsedMiB = -1;
    double utilizationPercent = -1;
    double temperatureC = -1;
    QJsonObject toJson() const;
};

/// Parses the output of `nvidia-smi --query-gpu=name,memory.total,memory.used,utilization.gpu,
/// temperature.gpu --format=csv,noheader,nounits`. Lines it cannot read are skipped (and named
/// in *errors); an empty output is no GPU.
QList<GpuInfo> parseNvidiaSmi(const QString &csv, QStringList *errors = nullptr);

/// The GPUs a new job may have: not taken by this host's other jobs (`taken`), under 10 %
/// utilization and with most of their memory free. Up to `wanted` (0: all free ones).
QList<int> freeGpus(const QList<GpuInfo> &gpus, const QSet<int> &taken, int wanted = 1);
/// "0,2" for CUDA_VISIBLE_DEVICES; empty for none.
QString cudaVisibleDevices(const QList<int> &indices);

/// Everything probeHost() learns about a machine.
struct HostProbe
{
    QString host;
    bool reachable = false;
    QString error;              ///< why not, in plain words (see SshError::Reason)
    QString errorReason;        ///< dns, refused, timeout, unreachable, auth, unknown-host-key, ...
    QString fingerprint;        ///< for an unknown host key
    qint64 latencyMs = 0;
    QString os, osId, kernel, arch, cpuModel;
    int cores = 0;
    qint64 memoryTotalKiB = 0, memoryAvailableKiB = 0, diskFreeKiB = 0;
    QString workDir;            ///< the remote work folder, absolute
    double load1 = 0;
    QList<GpuInfo> gpus;
    QString gpuError;           ///< nvidia-smi present but failing
    QString python3, pythonVersion;
    bool ipykernel = false;
    bool canSudo = false;       ///< `sudo -n true` works (sudo without a password)
    bool isRoot = false;        ///< the login is root: installing needs no sudo
    QString debArch;            ///< `dpkg --print-architecture` (Debian and derivatives), e.g. amd64
    QString cairnPath;          ///< where `cairn` was found on the host
    QString workerVersion;
    int workerProtocol = 0;
    bool workerOk = false;
    QString workerProblem;      ///< what is wrong with the worker and what to install

    QJsonObject toJson() const;
};

/// Debian or a derivative (Ubuntu…): apt can install the project's own .deb there.
bool isDebianLike(const HostProbe &probe);

/// Parses the key=value report of the probe script (exposed for tests).
HostProbe parseProbeOutput(const QString &hostName, const QString &output);

/// Probes a host over SSH (blocking: call it off the GUI thread). Never throws for connection
/// problems: they are in `error`. `local` is probed without SSH.
HostProbe probeHost(const Host &host);

} // namespace cairn::remote
