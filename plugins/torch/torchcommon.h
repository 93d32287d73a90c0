#pragma once

// Shared by the torch trainers: optimizers, schedules, debugger statistics, conversions.
#include <torch/torch.h>

#include "fusedops.h"

#include "cairn/algorithms/jobcontext.h"
#include "cairn/util/error.h"

#include <QJsonObject>
#include <QString>

#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

namespace cairn::plugins::torchutil {

/// The device a job trains on, from its `device` setting (auto, cpu, cuda). The job log says
/// which one and why; asking for cuda where there is none fails before any training.
inline torch::Device trainingDevice(JobContext &ctx, const QString &setting)
{
    const bool cuda = torch::cuda::is_available();
    const QString why = at::hasCUDA() ? QStringLiteral("no CUDA device is visible to this process (check nvidia-smi and CUDA_VISIBLE_DEVICES)")
                                      : QStringLiteral("this build's libtorch has no CUDA support (a GPU host needs a build against a CUDA libtorch: "
                                                       "see \"GPU hosts\" in docs/resources.md)");
    if (setting == QLatin1String("cuda") && !cuda)
        throw Error(QStringLiteral("device=cuda was asked for, but CUDA is not available: %1; use device=auto or device=cpu").arg(why));
    if (setting == QLatin1String("cpu")) {
        ctx.log(QStringLiteral("device: training on CPU (device=cpu)"));
        return torch::Device(torch::kCPU);
    }
    if (cuda) {
        ctx.log(QStringLiteral("device: training on cuda:0 (%1 CUDA device(s) visible; device=%2)").arg(torch::cuda::device_count()).arg(setting));
        return torch::Device(torch::kCUDA, 0);
    }
    ctx.log(QStringLiteral("device: no CUDA device: training on CPU (%1)").arg(why));
    return torch::Device(torch::kCPU);
}

inline std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const QString &name, std::vector<torch::Tensor> params, double lr, double weightDecay)
{
    if (name == QLatin1String("sgd"))
        return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(lr).momentum(0.9).weight_decay(weightDecay));
    if (name == QLatin1String("adamw"))
        return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(lr).weight_decay(weightDecay));
    if (name == QLatin1String("rmsprop"))
        return std::make_unique<torch::optim::RMSprop>(params, torch::optim::RMSpropOptions(lr).weight_decay(weightDecay));
    return std::make_unique<fused::FusedAdam>(params, torch::optim::AdamOptions(lr).weight_decay(weightDecay));
}

/// The learning rate `done` epochs into training (fractional: the schedule moves every step).
inline double scheduledLr(const QString &schedule, double base, double done, int epochs)
{
    if (schedule == QLatin1String("step"))
        return base * std::pow(0.7, std::floor(done));
    if (schedule == QLatin1String("cosine"))
        return base * 0.5 * (1.0 + std::cos(M_PI * done / double(std::max(1, epochs))));
    return base;
}

/// A loss that is NaN or infinite means training has diverged: the job fails with a clear
/// message instead of saving a model of NaN weights.
inline void checkLoss(double loss, const QString &which, qint64 step)
{
    if (!std::isfinite(loss))
        throw Error(QStringLiteral("training diverged: the %1 loss became %2 at step %3 (try a smaller learning rate, "
                                   "or scale the inputs: very large values in the data can cause it)")
                        .arg(which, std::isnan(loss) ? QStringLiteral("NaN") : QStringLiteral("infinite"))
                        .arg(step));
}

inline void setLr(torch::optim::Optimizer &optimizer, double lr)
{
    for (auto &group : optimizer.param_groups())
        group.options().set_lr(lr);
}

inline std::vector<float> toVector(const torch::Tensor &t)
{
    // To host memory first: the tensor may live on a CUDA device.
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

inline TensorStats statsOf(const QString &name, const QString &collection, qint64 step, const torch::Tensor &t)
{
    const std::vector<float> v = toVector(t);
    TensorStats s = TensorStats::of(name, step, v.data(), qint64(v.size()));
    s.collection = collection;
    return s;
}

/// Debugger statistics (SageMaker's collections weights, biases, gradients, update_ratios), when
/// the job's collections ask for them. Call after backward() and before the optimizer's step():
/// the update ratio |w(t+1) - w(t)| / |w(t)| of a due step is recorded on the next call.
inline void collectStats(JobContext &ctx, torch::nn::Module &module, qint64 step)
{
    static thread_local std::map<const torch::nn::Module *, std::pair<qint64, std::vector<std::pair<std::string, torch::Tensor>>>> before;
    if (const auto it = before.find(&module); it != before.end()) {
        const auto params = module.named_parameters();
        for (const auto &[name, old] : it->second.second)
            if (const torch::Tensor *now = params.find(name)) {
                const float ratio = float((now->detach() - old).norm().item<double>() / (old.norm().item<double>() + 1e-9));
                TensorStats s = TensorStats::of(QString::fromStdString(name) + QStringLiteral(".update_ratio"), it->second.first, &ratio, 1);
                s.collection = QStringLiteral("update_ratios");
                ctx.tensorStats(s);
            }
        before.erase(it);
    }
    const bool weights = ctx.collects(QStringLiteral("weights"), step);
    const bool biases = ctx.collects(QStringLiteral("biases"), step);
    const bool gradients = ctx.collects(QStringLiteral("gradients"), step);
    const bool ratios = ctx.collects(QStringLiteral("update_ratios"), step);
    if (!weights && !biases && !gradients && !ratios)
        return;
    for (const auto &p : module.named_parameters()) {
        const QString name = QString::fromStdString(p.key());
        const bool bias = name.endsWith(QLatin1String("bias"));
        if (bias ? biases : weights)
            ctx.tensorStats(statsOf(name, bias ? QStringLiteral("biases") : QStringLiteral("weights"), step, p.value()));
        if (gradients && p.value().grad().defined())
            ctx.tensorStats(statsOf(name + QStringLiteral(".grad"), QStringLiteral("gradients"), step, p.value().grad()));
        if (ratios && !bias)
            before[&module].second.emplace_back(p.key(), p.value().detach().clone());
    }
    if (ratios)
        before[&module].first = step;
}

/// An activation that the debugger can see: while armed for a step that the "activations"
/// collection wants, it records its input, its output and, for ReLU, each unit's activity (the
/// percentage of the batch for which it fired), as SageMaker's relu_input/relu_output.
struct ActivationProbe
{
    JobContext *ctx = nullptr;
    qint64 step = 0;

    void arm(JobContext &c, qint64 s) { ctx = c.collects(QStringLiteral("activations"), s) ? &c : nullptr, step = s; }
    void disarm() { ctx = nullptr; }

    torch::Tensor apply(const QString &layer, const QString &kind, const torch::Tensor &x)
    {
        const torch::Tensor y = activation(kind, x);
        record(layer, kind, x, y);
        return y;
    }

    /// What apply() records, for a layer whose activation is fused with the operations after it.
    void observe(const QString &layer, const QString &kind, const torch::Tensor &x)
    {
        if (!ctx)
            return;
        torch::NoGradGuard noGrad;
        record(layer, kind, x, activation(kind, x.detach()));
    }

private:
    static torch::Tensor activation(const QString &kind, const torch::Tensor &x)
    {
        return kind == QLatin1String("tanh") ? torch::tanh(x)
             : kind == QLatin1String("sigmoid") ? torch::sigmoid(x)
             : kind == QLatin1String("gelu") ? torch::gelu(x) : torch::relu(x);
    }

    void record(const QString &layer, const QString &kind, const torch::Tensor &x, const torch::Tensor &y)
    {
        if (!ctx)
            return;
        const QString prefix = layer + QLatin1Char('.') + kind;
        ctx->tensorStats(statsOf(prefix + QStringLiteral("_input"), QStringLiteral("activations"), step, x));
        ctx->tensorStats(statsOf(prefix + QStringLiteral("_output"), QStringLiteral("activations"), step, y));
        if (kind == QLatin1String("relu") && y.dim() >= 2 && y.size(0) > 0)
            ctx->tensorStats(statsOf(layer + QStringLiteral(".relu_activity"), QStringLiteral("activations"), step,
                                     (y.detach() > 0).reshape({y.size(0), -1}).to(torch::kFloat).mean(0) * 100.0));
    }
};

/// A copy of a module's parameters and buffers (to keep the best epoch).
inline std::string snapshot(const torch::nn::Module &module)
{
    std::ostringstream out;
    torch::serialize::OutputArchive archive;
    module.save(archive);
    archive.save_to(out);
    return out.str();
}

inline void restore(torch::nn::Module &module, const std::string &bytes)
{
    std::istringstream in(bytes);
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    module.load(archive);
}

inline void saveModule(const torch::nn::Module &module, const QString &path)
{
    try {
        torch::serialize::OutputArchive archive;
        module.save(archive);
        archive.save_to(path.toStdString());
    } catch (const c10::Error &e) {
        throw Error(QStringLiteral("cannot save the model to %1: %2").arg(path, QString::fromStdString(e.what_without_backtrace())));
    }
}

inline void loadModule(torch::nn::Module &module, const QString &path)
{
    try {
        torch::serialize::InputArchive archive;
        // Onto the CPU: a model trained on a GPU host predicts anywhere.
        archive.load_from(path.toStdString(), torch::Device(torch::kCPU));
        module.load(archive);
    } catch (const c10::Error &e) {
        throw Error(QStringLiteral("cannot load the model %1: %2").arg(path, QString::fromStdString(e.what_without_backtrace())));
    }
}

} // namespace cairn::plugins::torchutil
