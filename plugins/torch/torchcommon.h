#pragma once

// Shared by the torch trainers: optimizers, schedules, debugger statistics, conversions.
#include <torch/torch.h>

#include "cairn/algorithms/jobcontext.h"
#include "cairn/util/error.h"

#include <QJsonObject>
#include <QString>

#include <cmath>
#include <memory>
#include <sstream>
#include <vector>

namespace cairn::plugins::torchutil {

inline std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const QString &name, std::vector<torch::Tensor> params, double lr, double weightDecay)
{
    if (name == QLatin1String("sgd"))
        return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(lr).momentum(0.9).weight_decay(weightDecay));
    if (name == QLatin1String("adamw"))
        return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(lr).weight_decay(weightDecay));
    if (name == QLatin1String("rmsprop"))
        return std::make_unique<torch::optim::RMSprop>(params, torch::optim::RMSpropOptions(lr).weight_decay(weightDecay));
    return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(lr).weight_decay(weightDecay));
}

inline double scheduledLr(const QString &schedule, double base, int epoch, int epochs)
{
    if (schedule == QLatin1String("step"))
        return base * std::pow(0.7, epoch);
    if (schedule == QLatin1String("cosine"))
        return base * 0.5 * (1.0 + std::cos(M_PI * double(epoch) / double(std::max(1, epochs))));
    return base;
}

inline void setLr(torch::optim::Optimizer &optimizer, double lr)
{
    for (auto &group : optimizer.param_groups())
        group.options().set_lr(lr);
}

inline std::vector<float> toVector(const torch::Tensor &t)
{
    const torch::Tensor c = t.detach().to(torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

/// Weight and gradient statistics for the debugger, when its collections ask for them.
inline void collectStats(JobContext &ctx, torch::nn::Module &module, qint64 step)
{
    const bool weights = ctx.collects(QStringLiteral("weights"), step);
    const bool gradients = ctx.collects(QStringLiteral("gradients"), step);
    if (!weights && !gradients)
        return;
    for (const auto &p : module.named_parameters()) {
        const QString name = QString::fromStdString(p.key());
        if (weights) {
            const std::vector<float> v = toVector(p.value());
            ctx.tensorStats(TensorStats::of(name, step, v.data(), qint64(v.size())));
        }
        if (gradients && p.value().grad().defined()) {
            const std::vector<float> g = toVector(p.value().grad());
            ctx.tensorStats(TensorStats::of(name + QStringLiteral(".grad"), step, g.data(), qint64(g.size())));
        }
    }
}

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
        archive.load_from(path.toStdString());
        module.load(archive);
    } catch (const c10::Error &e) {
        throw Error(QStringLiteral("cannot load the model %1: %2").arg(path, QString::fromStdString(e.what_without_backtrace())));
    }
}

} // namespace cairn::plugins::torchutil
