using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

// ONNX LSTM and GRU, one direction per call. The compiler has already run the input projection
// for every time step as one GEMM (xw = X·Wᵀ + Wb + Rb, both directions side by side); these
// kernels walk the time steps: h·Rᵀ against the packed recurrent weights (GemmJob, the GEMV
// path at batch 1), then the gate math for the whole row in one vectorized pass.
public static partial class Kernels
{
    private const int GateLanes = 8;

    /// <summary>The scratch floats <see cref="Lstm"/> needs: h, c and the four gates per batch row.</summary>
    public static int LstmScratchLength(int batch, int hidden) => batch * hidden * 6;

    /// <summary>The scratch floats <see cref="Gru"/> needs: h, the z and r gates, h·Rhᵀ and r⊙h per batch row.</summary>
    public static int GruScratchLength(int batch, int hidden) => batch * hidden * 5;

    /// <summary>
    /// One direction of an ONNX LSTM (gates i, o, f, c; sigmoid, tanh, tanh).
    /// <paramref name="xw"/>: the input projection with both biases, row (t, b) at
    /// <c>t·xwStepStride + b·xwBatchStride</c>, 4·hidden floats. <paramref name="packedR"/>: this
    /// direction's R <c>[4·hidden, hidden]</c> packed by <see cref="PackB"/> as Rᵀ.
    /// <paramref name="peepholes"/>: P (i, o, f; 3·hidden) or empty. <paramref name="initialH"/>,
    /// <paramref name="initialC"/>, <paramref name="yH"/>, <paramref name="yC"/>: rows
    /// <paramref name="stateBatchStride"/> apart, empty for zeros / not wanted. <paramref name="y"/>:
    /// row (t, b) at <c>t·yStepStride + b·yBatchStride</c>, or empty. <paramref name="reverse"/> 1
    /// walks t from the end. <paramref name="clip"/> &gt; 0 clamps every gate's input to ±clip.
    /// </summary>
    public static unsafe void Lstm(ReadOnlySpan<float> xw, ReadOnlySpan<float> packedR, ReadOnlySpan<float> peepholes,
        ReadOnlySpan<float> initialH, ReadOnlySpan<float> initialC, Span<float> y, Span<float> yH, Span<float> yC, Span<float> scratch,
        int seq, int batch, int hidden, int reverse, int xwStepStride, int xwBatchStride, int yStepStride, int yBatchStride, int stateBatchStride, float clip)
    {
        var width = 4 * hidden;
        var layout = new RecurrentLayout(seq, batch, hidden, xwStepStride, xwBatchStride, yStepStride, yBatchStride, stateBatchStride);
        layout.Check(xw, width, packedR, width, y, scratch, LstmScratchLength(batch, hidden));
        layout.CheckState(initialH, initialC, yH, yC);
        if (!peepholes.IsEmpty && peepholes.Length < 3 * hidden)
        {
            throw new ArgumentException("The peepholes are shorter than 3 · hidden.", nameof(peepholes));
        }

        var bound = ClipBound(clip);
        fixed (float* px = xw, pr = packedR, pp = peepholes, py = y, ps = scratch)
        {
            float* h = ps, c = h + batch * hidden, gates = c + batch * hidden;
            layout.LoadState(initialH, h);
            layout.LoadState(initialC, c);
            var cell = new LstmCell(hidden, peepholes.IsEmpty ? null : pp, bound);
            for (var s = 0; s < seq; s++)
            {
                var t = reverse != 0 ? seq - 1 - s : s;
                new GemmJob(h, hidden, pr, hidden, gates, width, batch, width, null, false, 1f, 0, 0f, 0f).Run();
                for (var b = 0; b < batch; b++)
                {
                    cell.Step(gates + b * width, px + layout.XwRow(t, b), c + b * hidden, h + b * hidden);
                    layout.StoreY(py, t, b, h + b * hidden);
                }
            }

            layout.StoreState(h, yH);
            layout.StoreState(c, yC);
        }
    }

    /// <summary>
    /// One direction of an ONNX GRU (gates z, r, h; sigmoid, tanh). <paramref name="xw"/> as in
    /// <see cref="Lstm"/> with 3·hidden floats per row (the h gate's Rb folded in only when
    /// <paramref name="linearBeforeReset"/> is 0). <paramref name="packedRzr"/>: R's z and r rows
    /// (<c>[2·hidden, hidden]</c>) packed as their transpose; <paramref name="packedRh"/>: its h rows.
    /// <paramref name="rhBias"/>: Rb of the h gate (hidden floats) when
    /// <paramref name="linearBeforeReset"/> is 1, else empty. The rest as in <see cref="Lstm"/>.
    /// </summary>
    public static unsafe void Gru(ReadOnlySpan<float> xw, ReadOnlySpan<float> packedRzr, ReadOnlySpan<float> packedRh, ReadOnlySpan<float> rhBias,
        ReadOnlySpan<float> initialH, Span<float> y, Span<float> yH, Span<float> scratch,
        int seq, int batch, int hidden, int reverse, int xwStepStride, int xwBatchStride, int yStepStride, int yBatchStride, int stateBatchStride, int linearBeforeReset, float clip)
    {
        var layout = new RecurrentLayout(seq, batch, hidden, xwStepStride, xwBatchStride, yStepStride, yBatchStride, stateBatchStride);
        layout.Check(xw, 3 * hidden, packedRzr, 2 * hidden, y, scratch, GruScratchLength(batch, hidden));
        layout.CheckState(initialH, default, yH, default);
        if (packedRh.Length < PackedBLength(hidden, hidden) || !rhBias.IsEmpty && rhBias.Length < hidden)
        {
            throw new ArgumentException("The packed h-gate weights or their bias are shorter than the hidden size says.", nameof(packedRh));
        }

        var bound = ClipBound(clip);
        var reset = linearBeforeReset != 0;
        fixed (float* px = xw, pzr = packedRzr, prh = packedRh, pbias = rhBias, py = y, ps = scratch)
        {
            float* h = ps, zr = h + batch * hidden, hr = zr + 2 * batch * hidden, rh = hr + batch * hidden;
            layout.LoadState(initialH, h);
            var cell = new GruCell(hidden, bound, reset);
            for (var s = 0; s < seq; s++)
            {
                var t = reverse != 0 ? seq - 1 - s : s;
                new GemmJob(h, hidden, pzr, hidden, zr, 2 * hidden, batch, 2 * hidden, null, false, 1f, 0, 0f, 0f).Run();
                if (reset)
                {
                    // linear_before_reset: (h·Rhᵀ + Rbh) is computed first and then scaled by r.
                    new GemmJob(h, hidden, prh, hidden, hr, hidden, batch, hidden, rhBias.IsEmpty ? null : pbias, false, 1f, 0, 0f, 0f).Run();
                }

                for (var b = 0; b < batch; b++)
                {
                    cell.Gates(zr + b * 2 * hidden, px + layout.XwRow(t, b), h + b * hidden, rh + b * hidden);
                }

                if (!reset)
                {
                    // Otherwise r scales h before the product: (r ⊙ h)·Rhᵀ.
                    new GemmJob(rh, hidden, prh, hidden, hr, hidden, batch, hidden, null, false, 1f, 0, 0f, 0f).Run();
                }

                for (var b = 0; b < batch; b++)
                {
                    cell.Update(zr + b * 2 * hidden, px + layout.XwRow(t, b) + 2 * hidden, hr + b * hidden, h + b * hidden);
                    layout.StoreY(py, t, b, h + b * hidden);
                }
            }

            layout.StoreState(h, yH);
        }
    }

    /// <summary>The gate inputs' clamp: ±clip, or no clamp (infinite bounds) when clip is 0.</summary>
    private static float ClipBound(float clip) => clip > 0 ? clip : float.PositiveInfinity;

    /// <summary>Where each row lives: the projection, Y and the state tensors (one direction's slices).</summary>
    private readonly unsafe struct RecurrentLayout(int seq, int batch, int hidden, int xwStepStride, int xwBatchStride, int yStepStride, int yBatchStride, int stateBatchStride)
    {
        public int XwRow(int t, int b) => t * xwStepStride + b * xwBatchStride;

        /// <summary>Refuses operands too short for the strides (the kernels write through pointers).</summary>
        public void Check(ReadOnlySpan<float> xw, int xwWidth, ReadOnlySpan<float> packedR, int gateColumns, ReadOnlySpan<float> y, ReadOnlySpan<float> scratch, int scratchLength)
        {
            if (seq <= 0 || batch <= 0)
            {
                return;
            }

            if (xw.Length < Last(xwStepStride, xwBatchStride) + xwWidth || packedR.Length < PackedBLength(hidden, gateColumns)
                || !y.IsEmpty && y.Length < Last(yStepStride, yBatchStride) + hidden || scratch.Length < scratchLength)
            {
                throw new ArgumentException("A recurrent layer's operand is shorter than its sizes and strides say.");
            }
        }

        public void CheckState(ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, ReadOnlySpan<float> hN, ReadOnlySpan<float> cN)
        {
            var needed = (batch - 1) * stateBatchStride + hidden;
            if (batch > 0 && (Short(h0) || Short(c0) || Short(hN) || Short(cN)))
            {
                throw new ArgumentException("A recurrent layer's state operand is shorter than its batch and stride say.");
            }

            bool Short(ReadOnlySpan<float> s) => !s.IsEmpty && s.Length < needed;
        }

        /// <summary>Copies the strided state rows into the contiguous [batch, hidden] scratch (zeros when absent).</summary>
        public void LoadState(ReadOnlySpan<float> state, float* dst)
        {
            for (var b = 0; b < batch; b++)
            {
                var row = new Span<float>(dst + b * hidden, hidden);
                if (state.IsEmpty)
                {
                    row.Clear();
                }
                else
                {
                    state.Slice(b * stateBatchStride, hidden).CopyTo(row);
                }
            }
        }

        public void StoreState(float* src, Span<float> state)
        {
            for (var b = 0; b < batch && !state.IsEmpty; b++)
            {
                new ReadOnlySpan<float>(src + b * hidden, hidden).CopyTo(state.Slice(b * stateBatchStride, hidden));
            }
        }

        public void StoreY(float* y, int t, int b, float* h)
        {
            if (y != null)
            {
                new ReadOnlySpan<float>(h, hidden).CopyTo(new Span<float>(y + t * yStepStride + b * yBatchStride, hidden));
            }
        }

        private int Last(int stepStride, int batchStride) => (seq - 1) * stepStride + (batch - 1) * batchStride;
    }

    /// <summary>The LSTM cell over one batch row, <see cref="GateLanes"/> hidden units at a time.</summary>
    private readonly unsafe struct LstmCell(int hidden, float* peepholes, float bound)
    {
        /// <summary><paramref name="gates"/> holds h·Rᵀ (i, o, f, c); updates c and h in place.</summary>
        public void Step(float* gates, float* xw, float* c, float* h)
        {
            for (var j = 0; j < hidden; j += GateLanes)
            {
                var n = Math.Min(GateLanes, hidden - j);
                var cPrev = Lanes.Load(c + j, n);
                Vector256<float> pi = default, po = default, pf = default;
                if (peepholes != null)
                {
                    (pi, po, pf) = (Lanes.Load(peepholes + j, n), Lanes.Load(peepholes + hidden + j, n), Lanes.Load(peepholes + 2 * hidden + j, n));
                }

                var i = Lanes.Sigmoid(Input(gates, xw, 0, j, n) + pi * cPrev);
                var f = Lanes.Sigmoid(Input(gates, xw, 2, j, n) + pf * cPrev);
                var g = Lanes.Tanh(Input(gates, xw, 3, j, n));
                var cNew = f * cPrev + i * g;
                var o = Lanes.Sigmoid(Input(gates, xw, 1, j, n) + po * cNew);
                Lanes.Store(cNew, c + j, n);
                Lanes.Store(o * Lanes.Tanh(cNew), h + j, n);
            }
        }

        // ONNX clips the gate's input (projection + recurrence) before the activation; peepholes are added after.
        private Vector256<float> Input(float* gates, float* xw, int gate, int j, int n) =>
            Lanes.Clamp(Lanes.Load(gates + gate * hidden + j, n) + Lanes.Load(xw + gate * hidden + j, n), bound);
    }

    /// <summary>The GRU cell over one batch row: <see cref="Gates"/> before the h gate's product, <see cref="Update"/> after.</summary>
    private readonly unsafe struct GruCell(int hidden, float bound, bool linearBeforeReset)
    {
        /// <summary>zr: h·Rᵀ of z and r → σ(z), σ(r) in place; rh = r ⊙ h (the next product's input when not linear_before_reset).</summary>
        public void Gates(float* zr, float* xw, float* h, float* rh)
        {
            for (var j = 0; j < 2 * hidden; j += GateLanes)
            {
                var n = Math.Min(GateLanes, 2 * hidden - j);
                Lanes.Store(Lanes.Sigmoid(Lanes.Clamp(Lanes.Load(zr + j, n) + Lanes.Load(xw + j, n), bound)), zr + j, n);
            }

            for (var j = 0; j < hidden && !linearBeforeReset; j += GateLanes)
            {
                var n = Math.Min(GateLanes, hidden - j);
                Lanes.Store(Lanes.Load(zr + hidden + j, n) * Lanes.Load(h + j, n), rh + j, n);
            }
        }

        /// <summary>h ← (1 − z) ⊙ tanh(xh + [r ⊙] hr) + z ⊙ h, where hr is the h gate's recurrent product.</summary>
        public void Update(float* zr, float* xh, float* hr, float* h)
        {
            for (var j = 0; j < hidden; j += GateLanes)
            {
                var n = Math.Min(GateLanes, hidden - j);
                var recurrent = Lanes.Load(hr + j, n);
                if (linearBeforeReset)
                {
                    recurrent *= Lanes.Load(zr + hidden + j, n);
                }

                var candidate = Lanes.Tanh(Lanes.Clamp(Lanes.Load(xh + j, n) + recurrent, bound));
                var z = Lanes.Load(zr + j, n);
                Lanes.Store(candidate + z * (Lanes.Load(h + j, n) - candidate), h + j, n);
            }
        }
    }

    /// <summary>
    /// Eight-lane vector helpers for the cells: partial loads and stores for a hidden size that
    /// is not a multiple of eight, and sigmoid/tanh accurate to a few ulp (relative error below
    /// 1e-6), on any machine (Vector256 is emulated where the hardware lacks it).
    /// </summary>
    internal static unsafe class Lanes
    {
        public static Vector256<float> Load(float* p, int n)
        {
            if (n == GateLanes)
            {
                return Vector256.Load(p);
            }

            var lanes = Vector256<float>.Zero;
            for (var i = 0; i < n; i++)
            {
                lanes = lanes.WithElement(i, p[i]);
            }

            return lanes;
        }

        public static void Store(Vector256<float> v, float* p, int n)
        {
            if (n == GateLanes)
            {
                v.Store(p);
                return;
            }

            for (var i = 0; i < n; i++)
            {
                p[i] = v.GetElement(i);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Clamp(Vector256<float> x, float bound) => Vector256.Min(Vector256.Max(x, Vector256.Create(-bound)), Vector256.Create(bound));

        /// <summary>1 / (1 + e⁻ˣ): the exponential is accurate to about an ulp, so the quotient is too.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

        /// <summary>
        /// Cephes' expf in float lanes (relative error about 2e-7): x = n·ln2 + r, a degree-6
        /// polynomial for eʳ, then 2ⁿ through the exponent bits. x is clamped to [−87.3, 88.7], so
        /// the result stays a normal float (Vector256.Exp works in double lanes, about 3× slower).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Exp(Vector256<float> x)
        {
            x = Vector256.Min(Vector256.Max(x, Vector256.Create(-87.3f)), Vector256.Create(88.7f));
            var n = Vector256.Floor(x * Vector256.Create(1.44269504088896341f) + Vector256.Create(0.5f));
            var r = x - n * Vector256.Create(0.693359375f) - n * Vector256.Create(-2.12194440e-4f);
            var p = Vector256.Create(1.9875691500e-4f);
            p = p * r + Vector256.Create(1.3981999507e-3f);
            p = p * r + Vector256.Create(8.3334519073e-3f);
            p = p * r + Vector256.Create(4.1665795894e-2f);
            p = p * r + Vector256.Create(1.6666665459e-1f);
            p = p * r + Vector256.Create(5.0000001201e-1f);
            var er = p * r * r + r + Vector256<float>.One;
            var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
            return er * scale;
        }

        /// <summary>
        /// Cephes' tanhf: an odd polynomial below |x| = 0.625 (where 1 − 2/(e²ˣ + 1) would cancel),
        /// 1 − 2/(e²ˣ + 1) with the sign put back above it (saturating to ±1 once e²ˣ overflows).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Tanh(Vector256<float> x)
        {
            var a = Vector256.Abs(x);
            var z = x * x;
            var poly = Vector256.Create(-5.70498872745e-3f);
            poly = poly * z + Vector256.Create(2.06390887954e-2f);
            poly = poly * z + Vector256.Create(-5.37397155531e-2f);
            poly = poly * z + Vector256.Create(1.33314422036e-1f);
            poly = poly * z + Vector256.Create(-3.33332819422e-1f);
            var small = poly * z * x + x;
            var large = Vector256<float>.One - Vector256.Create(2f) / (Exp(a + a) + Vector256<float>.One);
            large = Vector256.CopySign(large, x);
            return Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(0.625f)), small, large);
        }
    }
}
