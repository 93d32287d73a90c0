#include "fusedops.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <dlfcn.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cmath>
#include <cstring>
#include <mutex>

namespace cairn::plugins::fused {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

constexpr uint8_t kNoGradient = 255; // the output is zero: ReLU cut it or dropout dropped it

/// Dropout's keep/drop decisions: a counter-based hash (splitmix64) of (seed, group), one 64-bit
/// hash giving the 16-bit uniform draws of a group of four elements. The threads need no shared
/// generator, and a run is reproducible for a given torch seed.
struct DropoutDraw
{
    uint64_t seed = 0;
    uint32_t dropBelow = 0; // drop when the draw is below p·2^16; 0: no dropout

    static DropoutDraw make(double p, bool training)
    {
        DropoutDraw d;
        if (!training || p <= 0)
            return d;
        at::CPUGeneratorImpl *generator = at::detail::getDefaultCPUGenerator().get<at::CPUGeneratorImpl>();
        std::lock_guard<std::mutex> lock(generator->mutex_);
        d.seed = generator->random64();
        d.dropBelow = uint32_t(std::max(1L, std::lround(std::min(1.0, p) * 65536.0)));
        return d;
    }
    uint64_t hash(int64_t group) const
    {
        uint64_t z = seed + uint64_t(group + 1) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Element `lane` (0–3) of `group`.
    bool drops(int64_t group, int lane) const { return dropBelow && uint32_t(uint16_t(hash(group) >> (16 * lane))) < dropBelow; }
};

double keepScale(double p, bool training) { return training && p > 0 ? (p >= 1 ? 0.0 : 1.0 / (1.0 - p)) : 1.0; }

#if defined(__SSE2__)
inline __m128 select(__m128 mask, __m128 a, __m128 b) { return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b)); }
inline __m128i select(__m128i mask, __m128i a, __m128i b) { return _mm_or_si128(_mm_and_si128(mask, a), _mm_andnot_si128(mask, b)); }
#endif

/// One output row of relu → 2×2 max-pool → dropout. r0, r1: the two input rows; o, k: the
/// outputs and their codes (which input of the window gets the gradient, or kNoGradient).
/// The first maximum of a window wins, as in max_pool2d, and NaN propagates. Branch-free, because
/// the signs are random and branches would mostly mispredict. Dropout groups are four outputs of
/// the row, numbered from `group`.
void poolRow(const float *r0, const float *r1, int64_t ow, float scale, const DropoutDraw &draw, int64_t group, float *o, uint8_t *k)
{
    int64_t xo = 0;
#if defined(__SSE2__)
    const __m128 zero = _mm_setzero_ps(), vscale = _mm_set1_ps(scale);
    const __m128i one = _mm_set1_epi32(1), two = _mm_set1_epi32(2), none = _mm_set1_epi32(kNoGradient);
    const __m128i dropBelow = _mm_set1_epi32(int(draw.dropBelow));
    for (; xo + 4 <= ow; xo += 4) {
        const __m128 t0 = _mm_loadu_ps(r0 + 2 * xo), t1 = _mm_loadu_ps(r0 + 2 * xo + 4);
        const __m128 b0 = _mm_loadu_ps(r1 + 2 * xo), b1 = _mm_loadu_ps(r1 + 2 * xo + 4);
        const __m128 a = _mm_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)), b = _mm_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1));
        const __m128 c = _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)), d = _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1));
        const __m128 right0 = _mm_cmpgt_ps(b, a), right1 = _mm_cmpgt_ps(d, c);
        const __m128 m0 = select(right0, b, a), m1 = select(right1, d, c);
        const __m128 lower = _mm_cmpgt_ps(m1, m0);
        const __m128 m = select(lower, m1, m0);
        const __m128 nan = _mm_or_ps(_mm_cmpunord_ps(a, b), _mm_cmpunord_ps(c, d));
        __m128i pass = _mm_castps_si128(_mm_or_ps(_mm_cmpgt_ps(m, zero), nan));
        if (draw.dropBelow) {
            const uint64_t z = draw.hash(group + xo / 4);
            const __m128i draws = _mm_set_epi32(int(z >> 48), int((z >> 32) & 0xffff), int((z >> 16) & 0xffff), int(z & 0xffff));
            pass = _mm_andnot_si128(_mm_cmplt_epi32(draws, dropBelow), pass);
        }
        _mm_storeu_ps(o + xo, _mm_or_ps(_mm_and_ps(_mm_castsi128_ps(pass), _mm_mul_ps(m, vscale)), nan));
        const __m128i at = select(_mm_castps_si128(lower), _mm_add_epi32(two, _mm_and_si128(_mm_castps_si128(right1), one)),
                                  _mm_and_si128(_mm_castps_si128(right0), one));
        const __m128i code = select(pass, at, none);
        const int32_t bytes = _mm_cvtsi128_si32(_mm_packus_epi16(_mm_packs_epi32(code, code), _mm_setzero_si128()));
        std::memcpy(k + xo, &bytes, sizeof bytes);
    }
#endif
    for (; xo < ow; ++xo) {
        const float a = r0[2 * xo], b = r0[2 * xo + 1], c = r1[2 * xo], d = r1[2 * xo + 1];
        const bool right0 = b > a, right1 = d > c;
        const float m0 = right0 ? b : a, m1 = right1 ? d : c;
        const bool lower = m1 > m0;
        const bool nan = std::isnan(a) || std::isnan(b) || std::isnan(c) || std::isnan(d);
        const float m = nan ? NAN : lower ? m1 : m0;
        const bool pass = (m > 0 || nan) && !draw.drops(group + xo / 4, int(xo % 4));
        o[xo] = pass ? m * scale : nan ? NAN : 0.0f;
        k[xo] = pass ? uint8_t(lower ? 2 + right1 : right0) : kNoGradient;
    }
}

/// The gradient of one output row of poolRow: writes both input rows whole.
void unpoolRow(const float *go, const uint8_t *k, int64_t ow, float scale, float *d0, float *d1)
{
    int64_t xo = 0;
#if defined(__SSE2__)
    const __m128 vscale = _mm_set1_ps(scale);
    for (; xo + 4 <= ow; xo += 4) {
        int32_t bytes;
        std::memcpy(&bytes, k + xo, sizeof bytes);
        const __m128i zero = _mm_setzero_si128();
        const __m128i code = _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(bytes), zero), zero);
        const __m128 g = _mm_mul_ps(_mm_loadu_ps(go + xo), vscale);
        const __m128 g0 = _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(code, _mm_set1_epi32(0))), g);
        const __m128 g1 = _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(code, _mm_set1_epi32(1))), g);
        const __m128 g2 = _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(code, _mm_set1_epi32(2))), g);
        const __m128 g3 = _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(code, _mm_set1_epi32(3))), g);
        _mm_storeu_ps(d0 + 2 * xo, _mm_unpacklo_ps(g0, g1));
        _mm_storeu_ps(d0 + 2 * xo + 4, _mm_unpackhi_ps(g0, g1));
        _mm_storeu_ps(d1 + 2 * xo, _mm_unpacklo_ps(g2, g3));
        _mm_storeu_ps(d1 + 2 * xo + 4, _mm_unpackhi_ps(g2, g3));
    }
#endif
    for (; xo < ow; ++xo) {
        const uint8_t at = k[xo];
        const float g = at == kNoGradient ? 0.0f : go[xo] * scale;
        d0[2 * xo] = at == 0 ? g : 0.0f;
        d0[2 * xo + 1] = at == 1 ? g : 0.0f;
        d1[2 * xo] = at == 2 ? g : 0.0f;
        d1[2 * xo + 1] = at == 3 ? g : 0.0f;
    }
}

struct ReluMaxPool2DropoutFunction : torch::autograd::Function<ReluMaxPool2DropoutFunction>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &input, double p, bool training)
    {
        const torch::Tensor x = input.contiguous();
        const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        const int64_t oh = h / 2, ow = w / 2, groupsPerRow = (ow + 3) / 4;
        torch::Tensor out = torch::empty({n, c, oh, ow}, x.options());
        torch::Tensor code = torch::empty({n, c, oh, ow}, x.options().dtype(torch::kUInt8));
        const DropoutDraw draw = DropoutDraw::make(p, training);
        const float scale = float(keepScale(p, training));
        const float *in = x.data_ptr<float>();
        float *o = out.data_ptr<float>();
        uint8_t *k = code.data_ptr<uint8_t>();
        at::parallel_for(0, n * c, 8, [&](int64_t begin, int64_t end) {
            for (int64_t plane = begin; plane < end; ++plane)
                for (int64_t y = 0; y < oh; ++y) {
                    const float *r0 = in + (plane * h + 2 * y) * w;
                    const int64_t row = plane * oh + y;
                    poolRow(r0, r0 + w, ow, scale, draw, row * groupsPerRow, o + row * ow, k + row * ow);
                }
        });
        ctx->save_for_backward({code});
        ctx->saved_data["shape"] = x.sizes().vec();
        ctx->saved_data["scale"] = double(scale);
        return out;
    }

    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const torch::Tensor code = ctx->get_saved_variables()[0];
        const std::vector<int64_t> shape = ctx->saved_data["shape"].toIntVector();
        const float scale = float(ctx->saved_data["scale"].toDouble());
        const torch::Tensor g = grads[0].contiguous();
        const int64_t h = shape[2], w = shape[3], oh = h / 2, ow = w / 2;
        torch::Tensor gradInput = torch::empty(shape, g.options());
        const float *go = g.data_ptr<float>();
        const uint8_t *k = code.data_ptr<uint8_t>();
        float *gi = gradInput.data_ptr<float>();
        at::parallel_for(0, shape[0] * shape[1], 8, [&](int64_t begin, int64_t end) {
            for (int64_t plane = begin; plane < end; ++plane) {
                float *dst = gi + plane * h * w;
                if (h % 2 || w % 2) // the last row or column is outside every window
                    std::memset(dst, 0, size_t(h * w) * sizeof(float));
                for (int64_t y = 0; y < oh; ++y) {
                    const int64_t row = plane * oh + y;
                    unpoolRow(go + row * ow, k + row * ow, ow, scale, dst + 2 * y * w, dst + (2 * y + 1) * w);
                }
            }
        });
        return {gradInput, torch::Tensor(), torch::Tensor()};
    }
};

struct ReluDropoutFunction : torch::autograd::Function<ReluDropoutFunction>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &input, double p, bool training)
    {
        const torch::Tensor x = input.contiguous();
        torch::Tensor out = torch::empty_like(x);
        torch::Tensor keep = torch::empty(x.sizes(), x.options().dtype(torch::kUInt8));
        const DropoutDraw draw = DropoutDraw::make(p, training);
        const float scale = float(keepScale(p, training));
        const float *in = x.data_ptr<float>();
        float *o = out.data_ptr<float>();
        uint8_t *k = keep.data_ptr<uint8_t>();
        at::parallel_for(0, x.numel(), 4096, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                const bool nan = std::isnan(in[i]);
                const bool pass = (in[i] > 0 || nan) && !draw.drops(i / 4, int(i % 4));
                o[i] = pass ? in[i] * scale : nan ? NAN : 0.0f;
                k[i] = pass;
            }
        });
        ctx->save_for_backward({keep});
        ctx->saved_data["scale"] = double(scale);
        return out;
    }

    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const torch::Tensor keep = ctx->get_saved_variables()[0];
        const float scale = float(ctx->saved_data["scale"].toDouble());
        const torch::Tensor g = grads[0].contiguous();
        torch::Tensor gradInput = torch::empty_like(g);
        const float *go = g.data_ptr<float>();
        const uint8_t *k = keep.data_ptr<uint8_t>();
        float *gi = gradInput.data_ptr<float>();
        at::parallel_for(0, g.numel(), 4096, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i)
                gi[i] = k[i] ? go[i] * scale : 0.0f;
        });
        return {gradInput, torch::Tensor(), torch::Tensor()};
    }
};

bool isPlainFloat(const torch::Tensor &t) { return t.scalar_type() == torch::kFloat && t.device().is_cpu() && t.layout() == torch::kStrided; }

} // namespace

torch::Tensor reluMaxPool2Dropout(const torch::Tensor &x, double p, bool training)
{
    if (!isPlainFloat(x) || x.dim() != 4 || x.size(2) < 2 || x.size(3) < 2)
        return torch::dropout(torch::max_pool2d(torch::relu(x), 2), p, training);
    return ReluMaxPool2DropoutFunction::apply(x, p, training);
}

torch::Tensor reluDropout(const torch::Tensor &x, double p, bool training)
{
    if (!isPlainFloat(x))
        return torch::dropout(torch::relu(x), p, training);
    return ReluDropoutFunction::apply(x, p, training);
}

void setThreads(int threads)
{
    torch::set_num_threads(threads);
    // Denormal floats (the tiny gradients of later epochs) take a slow path in the CPU; flushed
    // to zero on every intra-op thread, the CNN's third epoch is as fast as its first (it was
    // 10 % slower). A range of one index per thread runs once on each thread of the pool.
    at::globalContext().setFlushDenormal(true);
    at::parallel_for(0, threads, 1, [](int64_t, int64_t) { at::globalContext().setFlushDenormal(true); });
    // Present when libtorch's BLAS is OpenBLAS (Debian's default); otherwise nothing to do.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(1);
}

torch::Tensor FusedAdam::step(LossClosure closure)
{
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure) {
        at::AutoGradMode enableGrad(true);
        loss = closure();
    }
    for (auto &group : param_groups()) {
        auto &options = static_cast<torch::optim::AdamOptions &>(group.options());
        const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
        for (torch::Tensor &p : group.params()) {
            if (!p.grad().defined())
                continue;
            const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
            auto found = state_.find(key);
            if (found == state_.end()) {
                auto fresh = std::make_unique<torch::optim::AdamParamState>();
                fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
                fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
                if (options.amsgrad())
                    fresh->max_exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
                found = state_.emplace(key, std::move(fresh)).first;
            }
            auto &state = static_cast<torch::optim::AdamParamState &>(*found->second);
            state.step(state.step() + 1);
            const double correction1 = 1 - std::pow(beta1, double(state.step()));
            const double correction2 = 1 - std::pow(beta2, double(state.step()));
            const double stepSize = options.lr() / correction1;
            torch::Tensor grad = p.grad();
            const bool fusable = !options.amsgrad() && isPlainFloat(p) && isPlainFloat(grad) && p.is_contiguous() && grad.is_contiguous()
                                 && state.exp_avg().is_contiguous() && state.exp_avg_sq().is_contiguous();
            if (!fusable) { // what torch::optim::Adam does
                if (options.weight_decay() != 0)
                    grad = grad.add(p, options.weight_decay());
                state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
                state.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
                torch::Tensor denom;
                if (options.amsgrad()) {
                    torch::max_out(state.max_exp_avg_sq(), state.exp_avg_sq(), state.max_exp_avg_sq());
                    denom = (state.max_exp_avg_sq().sqrt() / std::sqrt(correction2)).add_(options.eps());
                } else {
                    denom = (state.exp_avg_sq().sqrt() / std::sqrt(correction2)).add_(options.eps());
                }
                p.addcdiv_(state.exp_avg(), denom, -stepSize);
                continue;
            }
            const float b1 = float(beta1), b2 = float(beta2), wd = float(options.weight_decay()), eps = float(options.eps());
            const float rootCorrection2 = float(std::sqrt(correction2)), lrStep = float(stepSize);
            float *w = p.data_ptr<float>(), *m = state.exp_avg().data_ptr<float>(), *v = state.exp_avg_sq().data_ptr<float>();
            const float *g = grad.data_ptr<float>();
            at::parallel_for(0, p.numel(), 16384, [&](int64_t begin, int64_t end) {
                int64_t i = begin;
#if defined(__SSE2__)
                // std::sqrt sets errno, which keeps the compiler from vectorising the loop below.
                const __m128 vb1 = _mm_set1_ps(b1), vb2 = _mm_set1_ps(b2), va1 = _mm_set1_ps(1 - b1), va2 = _mm_set1_ps(1 - b2);
                const __m128 vwd = _mm_set1_ps(wd), vroot = _mm_set1_ps(rootCorrection2), veps = _mm_set1_ps(eps), vlr = _mm_set1_ps(lrStep);
                for (; i + 4 <= end; i += 4) {
                    const __m128 wi = _mm_loadu_ps(w + i);
                    const __m128 gi = _mm_add_ps(_mm_loadu_ps(g + i), _mm_mul_ps(vwd, wi));
                    const __m128 mi = _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(m + i), vb1), _mm_mul_ps(va1, gi));
                    const __m128 vi = _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(v + i), vb2), _mm_mul_ps(_mm_mul_ps(va2, gi), gi));
                    const __m128 denom = _mm_add_ps(_mm_div_ps(_mm_sqrt_ps(vi), vroot), veps);
                    _mm_storeu_ps(m + i, mi);
                    _mm_storeu_ps(v + i, vi);
                    _mm_storeu_ps(w + i, _mm_sub_ps(wi, _mm_mul_ps(vlr, _mm_div_ps(mi, denom))));
                }
#endif
                for (; i < end; ++i) {
                    const float gi = g[i] + wd * w[i];
                    m[i] = m[i] * b1 + (1 - b1) * gi;
                    v[i] = v[i] * b2 + (1 - b2) * gi * gi;
                    w[i] -= lrStep * (m[i] / (std::sqrt(v[i]) / rootCorrection2 + eps));
                }
            });
        }
    }
    return loss;
}

void clearGradients(torch::optim::Optimizer &optimizer)
{
    for (auto &group : optimizer.param_groups())
        for (torch::Tensor &p : group.params())
            p.mutable_grad() = torch::Tensor();
}

} // namespace cairn::plugins::fused
