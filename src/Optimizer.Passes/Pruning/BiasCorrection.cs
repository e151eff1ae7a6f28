// Empirical bias correction (Nagel et al. 2019, "Data-Free Quantization Through Weight
// Equalization and Bias Correction", §4.2, the variant with data; NNCF's FastBiasCorrection does
// the same after quantization, and it is used after pruning too): when a layer's weights W become
// W' (pruned, or quantized and dequantized), its output moves on average by
//     E[W'x] − E[Wx] = (W' − W) · E[x]
// per output channel, where x is the layer's float input in the model before the change. That
// shift is systematic, so it is taken out of the bias (a bias is created when the layer has none):
//     b' = b − (W' − W) · E[x].
// E[x] is measured by running the reference model over the calibration samples (batches of 64 where
// the samples allow, else one per run; only the running sums of each observed input are kept).
// Gemm/MatMul: E[x] over every row. Conv: the mean
// input map over the batch, then the correction is the mean over output positions of the
// convolution of (W' − W) with that map (exact, padding included, since convolution is linear).
// Sums run in double in a fixed order, so the result is deterministic for a deterministic executor.
// Nothing is tuned: the correction has no parameters.

using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Passes.Quantization.Operators;

namespace Optimizer.Passes.Pruning;

/// <summary>One layer whose weights changed: the node in the model being rewritten, its weights before and after (same layout).</summary>
internal sealed record WeightChange(OnnxNode Node, float[] Before, float[] After);

/// <summary>What a bias correction did: per-layer details (by node) and layers left uncorrected, with why.</summary>
internal sealed record BiasCorrectionResult(IReadOnlyDictionary<OnnxNode, string> Corrected, IReadOnlyList<PassSkip> Skipped, int Samples);

/// <summary>
/// How one layer is corrected: <see cref="Shift"/> turns E[x] and its per-sample shape into the per-channel output shift
/// (null when the shape does not fit the layer), <see cref="Write"/> subtracts a shift from the bias; or <see cref="Reason"/> why not.
/// </summary>
internal sealed record BiasCorrectionPlan(Func<double[], long[], double[]?>? Shift, Action<double[]>? Write, string? Reason)
{
    public static BiasCorrectionPlan Refused(string reason) => new(null, null, reason);
}

/// <summary>An op's bias correction (named per op by Quantization/Operators/QuantizedOps.cs): <paramref name="delta"/> is W' − W in the weight's layout.</summary>
internal delegate BiasCorrectionPlan BiasCorrectionRule(OnnxGraph graph, OnnxNode node, long[] dims, double[] delta);

/// <summary>Subtracts each changed layer's expected output shift from its bias.</summary>
internal static class BiasCorrection
{
    private const int BatchSize = 64;

    /// <param name="reference">The float model before the change (read only); its values keep the names <paramref name="graph"/> uses.</param>
    /// <param name="graph">The graph being rewritten; biases of <paramref name="changes"/>' nodes are corrected in it.</param>
    /// <param name="changes">The layers whose weights changed.</param>
    /// <param name="data">Calibration samples for the reference model's inputs.</param>
    /// <param name="executor">Runs the reference model.</param>
    /// <param name="pass">The pass name for error messages.</param>
    public static BiasCorrectionResult Apply(OnnxModel reference, OnnxGraph graph, IReadOnlyList<WeightChange> changes,
        SampleSet data, IModelExecutor executor, string pass)
    {
        var skipped = new List<PassSkip>();
        var layers = new List<(WeightChange Change, Func<double[], long[], double[]?> Shift, Action<double[]> Write, string Input)>();
        foreach (var change in changes)
        {
            var plan = Plan(graph, change);
            if (plan.Reason is not null)
            {
                skipped.Add(new PassSkip(LayerNames.Of(change.Node), $"bias not corrected: {plan.Reason}"));
            }
            else
            {
                layers.Add((change, plan.Shift!, plan.Write!, change.Node.Inputs[0]));
            }
        }

        var corrected = new Dictionary<OnnxNode, string>();
        if (layers.Count == 0)
        {
            return new BiasCorrectionResult(corrected, skipped, data.SampleCount);
        }

        var means = InputMeans(reference, layers.Select(l => l.Input).Distinct(StringComparer.Ordinal).ToArray(), data, executor, pass);
        foreach (var (change, shiftOf, write, input) in layers)
        {
            var (mean, shape) = means[input];
            if (shape is null || shiftOf(mean, shape) is not { } shift)
            {
                skipped.Add(new PassSkip(LayerNames.Of(change.Node), $"bias not corrected: input '{input}' does not have the shape the layer expects"));
                continue;
            }

            write(shift);
            var largest = 0;
            for (var c = 1; c < shift.Length; c++)
            {
                largest = Math.Abs(shift[c]) > Math.Abs(shift[largest]) ? c : largest;
            }

            corrected[change.Node] = string.Create(CultureInfo.InvariantCulture,
                $"bias corrected by −(W'−W)·E[x] over {data.SampleCount} samples: mean |Δb| {shift.Average(Math.Abs):G3}, max |Δb| {Math.Abs(shift[largest]):G3} (channel {largest})");
        }

        return new BiasCorrectionResult(corrected, skipped, data.SampleCount);
    }

    /// <summary>How to turn E[x] into the per-channel shift for this layer, and how to write the corrected bias; or why not.</summary>
    private static BiasCorrectionPlan Plan(OnnxGraph graph, WeightChange change)
    {
        var node = change.Node;
        var weight = graph.FindConstant(node.Inputs[WeightedOp.WeightInput]);
        if (weight is null)
        {
            return BiasCorrectionPlan.Refused("its weight is not a constant");
        }

        if (QuantizedOps.Find(node)?.BiasCorrection is not { } rule)
        {
            return BiasCorrectionPlan.Refused($"{node.OpType} is not corrected");
        }

        var delta = new double[change.After.Length];
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = (double)change.After[i] - change.Before[i];
        }

        return rule(graph, node, weight.Dims.ToArray(), delta);
    }

    /// <summary>Gemm: E[x] over every row; the shift is Δ·E[x] scaled by alpha, taken out of C (divided by beta), or a new C with beta 1.</summary>
    public static BiasCorrectionPlan Gemm(OnnxGraph graph, OnnxNode node, long[] dims, double[] delta)
    {
        if ((node.FindAttribute("transA")?.Int ?? 0) != 0)
        {
            return BiasCorrectionPlan.Refused("Gemm with transA=1 is not corrected in this version");
        }

        var layout = WeightedOp.Gemm.Layout(node, dims);
        var (k, n) = (layout.K, layout.N);
        var alpha = (double)(node.FindAttribute("alpha")?.Float ?? 1f);
        var beta = (double)(node.FindAttribute("beta")?.Float ?? 1f);
        var hasBias = WeightedOp.Gemm.Bias(node) is not null;
        if (hasBias && (beta == 0 || graph.FindConstant(node.Inputs[2]) is not { ElementType: TensorElementType.Float } c || c.Dims.Count != 1 || c.Dims[0] != n))
        {
            return BiasCorrectionPlan.Refused($"bias C is not a constant float32 vector of {n} with beta ≠ 0");
        }

        return new((mean, shape) => RowMean(mean, shape, k) is { } row ? Scale(MatrixShift(delta, row, (int)k, (int)n, layout.TransB), alpha) : null,
            shift => WriteBias(graph, node, 2, n, shift, hasBias ? 1 / beta : 1, setBeta: !hasBias), null);
    }

    /// <summary>MatMul: E[x] over every row; the shift is taken out of the constant vector a single following Add adds.</summary>
    public static BiasCorrectionPlan MatMul(OnnxGraph graph, OnnxNode node, long[] dims, double[] delta)
    {
        var layout = WeightedOp.MatMul.Layout(node, dims);
        var (k, n) = (layout.K, layout.N);
        var consumers = graph.FindConsumers(node.Outputs[0]);
        if (consumers.Count != 1 || consumers[0] is not { OpType: "Add" } add || graph.IsUsedOutsideExplicitInputs(node.Outputs[0]))
        {
            return BiasCorrectionPlan.Refused("MatMul has no bias (no single Add follows); Fuse turns MatMul+Add into Gemm, whose bias is corrected");
        }

        var biasIndex = add.Inputs[0] == node.Outputs[0] ? 1 : 0;
        if (graph.FindConstant(add.Inputs[biasIndex]) is not { ElementType: TensorElementType.Float } b || b.Dims.Count != 1 || b.Dims[0] != n)
        {
            return BiasCorrectionPlan.Refused($"the Add after MatMul does not add a constant float32 vector of {n}");
        }

        return new((mean, shape) => RowMean(mean, shape, k) is { } row ? MatrixShift(delta, row, (int)k, (int)n, transposed: false) : null,
            shift => WriteBias(graph, add, biasIndex, n, shift, 1, setBeta: false), null);
    }

    /// <summary>Conv (1-D and 2-D): the mean input map over the batch; the shift is the mean over output positions of (W' − W) convolved with it.</summary>
    public static BiasCorrectionPlan Conv(OnnxGraph graph, OnnxNode node, long[] dims, double[] delta)
    {
        if (dims.Length is not (3 or 4))
        {
            return BiasCorrectionPlan.Refused($"Conv with {dims.Length - 2} spatial dimensions is not corrected in this version (1-D and 2-D are)");
        }

        var hasBias = WeightedOp.Conv.Bias(node) is not null;
        var m = WeightedOp.Conv.Layout(node, dims).N;
        if (hasBias && graph.FindConstant(node.Inputs[2]) is not { ElementType: TensorElementType.Float, Dims.Count: 1 })
        {
            return BiasCorrectionPlan.Refused("its bias is not a constant float32 vector");
        }

        var autoPad = node.FindAttribute("auto_pad")?.String ?? "NOTSET";
        var group = (int)(node.FindAttribute("group")?.Int ?? 1);
        var twoD = dims.Length == 4;
        int kh = twoD ? (int)dims[2] : 1, kw = (int)dims[^1];
        long[] Ints(string name, long fallback, int count) => node.FindAttribute(name)?.Ints.ToArray() is { Length: > 0 } v ? v : Enumerable.Repeat(fallback, count).ToArray();
        var spatial = twoD ? 2 : 1;
        var strides = Ints("strides", 1, spatial);
        var dilations = Ints("dilations", 1, spatial);
        var pads = Ints("pads", 0, spatial * 2);
        if (strides.Length != spatial || dilations.Length != spatial || pads.Length != spatial * 2)
        {
            return BiasCorrectionPlan.Refused("its strides/dilations/pads do not match its rank");
        }

        return new((mean, shape) =>
        {
            // mean is the input map [C, (H,) W] averaged over the batch.
            var cg = (int)dims[1];
            var channels = cg * group;
            if (shape.Length != dims.Length - 1 || shape[0] != channels)
            {
                return null;
            }

            var (h, w) = twoD ? ((int)shape[1], (int)shape[2]) : (1, (int)shape[1]);
            var (sh, sw) = twoD ? ((int)strides[0], (int)strides[1]) : (1, (int)strides[0]);
            var (dh, dw) = twoD ? ((int)dilations[0], (int)dilations[1]) : (1, (int)dilations[0]);
            var (pt, pl) = twoD ? ((int)pads[0], (int)pads[1]) : (0, (int)pads[0]);
            var (pb, pr) = twoD ? ((int)pads[2], (int)pads[3]) : (0, (int)pads[1]);
            if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                (pt, pb) = SamePads(h, kh, sh, dh, autoPad == "SAME_UPPER");
                (pl, pr) = SamePads(w, kw, sw, dw, autoPad == "SAME_UPPER");
            }
            else if (autoPad == "VALID")
            {
                (pt, pl, pb, pr) = (0, 0, 0, 0);
            }

            var ho = (h + pt + pb - ((kh - 1) * dh + 1)) / sh + 1;
            var wo = (w + pl + pr - ((kw - 1) * dw + 1)) / sw + 1;
            if (ho <= 0 || wo <= 0)
            {
                return null;
            }

            // sums[c, i, j] = Σ over output positions of the mean input the kernel tap (i, j) reads (0 in padding).
            var sums = new double[channels * kh * kw];
            for (var c = 0; c < channels; c++)
            {
                for (var i = 0; i < kh; i++)
                {
                    for (var j = 0; j < kw; j++)
                    {
                        double s = 0;
                        for (var oy = 0; oy < ho; oy++)
                        {
                            var y = oy * sh - pt + i * dh;
                            if (y < 0 || y >= h)
                            {
                                continue;
                            }

                            for (var ox = 0; ox < wo; ox++)
                            {
                                var x = ox * sw - pl + j * dw;
                                if (x >= 0 && x < w)
                                {
                                    s += mean[(c * h + y) * w + x];
                                }
                            }
                        }

                        sums[(c * kh + i) * kw + j] = s;
                    }
                }
            }

            var shift = new double[m];
            var perGroup = m / group;
            var taps = cg * kh * kw;
            for (var o = 0; o < m; o++)
            {
                var first = (int)(o / perGroup) * cg * kh * kw;
                double s = 0;
                for (var t = 0; t < taps; t++)
                {
                    s += delta[o * taps + t] * sums[first + t];
                }

                shift[o] = s / ((double)ho * wo);
            }

            return shift;
        }, shift => WriteBias(graph, node, 2, m, shift, 1, setBeta: false), null);
    }

    private static (int Begin, int End) SamePads(int size, int kernel, int stride, int dilation, bool upper)
    {
        var output = (size + stride - 1) / stride;
        var total = Math.Max(0, (output - 1) * stride + (kernel - 1) * dilation + 1 - size);
        return upper ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
    }

    /// <summary>The mean over every axis but the last of a [..., K] per-sample mean, or null when the last axis is not K.</summary>
    private static double[]? RowMean(double[] mean, long[] shape, long k)
    {
        if (shape.Length == 0 || shape[^1] != k)
        {
            return null;
        }

        var rows = mean.Length / (int)k;
        var row = new double[k];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < k; i++)
            {
                row[i] += mean[r * k + i];
            }
        }

        return Scale(row, 1.0 / rows);
    }

    /// <summary>shift[n] = Σ_k Δ[k, n] · mean[k] for Δ [K, N], or Δ[n, k] when <paramref name="transposed"/>.</summary>
    private static double[] MatrixShift(double[] delta, double[] mean, int k, int n, bool transposed)
    {
        var shift = new double[n];
        for (var row = 0; row < k; row++)
        {
            for (var col = 0; col < n; col++)
            {
                shift[col] += delta[transposed ? col * k + row : row * n + col] * mean[row];
            }
        }

        return shift;
    }

    private static double[] Scale(double[] values, double factor)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
        }

        return values;
    }

    /// <summary>b − shift · factor into input <paramref name="index"/> of <paramref name="node"/>, creating a zero bias first when there is none.</summary>
    private static void WriteBias(OnnxGraph graph, OnnxNode node, int index, long channels, double[] shift, double factor, bool setBeta)
    {
        var hasBias = node.Inputs.Count > index && node.Inputs[index].Length > 0;
        var bias = hasBias ? graph.FindConstant(node.Inputs[index])!.ToFloatArray() : new float[channels];
        for (var c = 0; c < bias.Length; c++)
        {
            bias[c] = (float)(bias[c] - shift[c] * factor);
        }

        if (hasBias && graph.FindInitializer(node.Inputs[index]) is not null)
        {
            WeightStore.ReplaceInput(graph, node, index, [channels], bias);
            return;
        }

        var name = graph.CreateUniqueName(LayerNames.Of(node) + "_bias_corrected");
        graph.Initializers.Add(OnnxTensor.FromFloats(name, [channels], bias));
        while (node.Inputs.Count <= index)
        {
            node.Inputs.Add("");
        }

        node.Inputs[index] = name;
        if (setBeta)
        {
            node.SetAttribute(OnnxAttribute.FromFloat("beta", 1f));
        }
    }

    /// <summary>
    /// E[x] over the batch axis of each named value of <paramref name="reference"/> on the calibration samples, with the
    /// per-sample shape (null when it changes between feeds, e.g. with the sequence length). Only running sums are kept.
    /// </summary>
    private static Dictionary<string, (double[] Mean, long[]? Shape)> InputMeans(OnnxModel reference, string[] names, SampleSet data, IModelExecutor executor, string pass)
    {
        var sums = new Dictionary<string, (double[] Sum, long[]? Shape, long Count)>(StringComparer.Ordinal);
        void Add(string name, float[] values, long[] shape)
        {
            var perSample = shape.Skip(1).ToArray();
            var size = (int)perSample.Aggregate(1L, (a, d) => a * d);
            var count = shape.Length == 0 ? 1 : shape[0];
            if (shape.Length == 0)
            {
                perSample = [];
                size = 1;
            }

            if (!sums.TryGetValue(name, out var entry))
            {
                entry = (new double[size], perSample, 0);
            }
            else if (entry.Shape is null || !entry.Shape.SequenceEqual(perSample))
            {
                sums[name] = (entry.Sum, null, entry.Count);
                return;
            }

            for (long s = 0; s < count; s++)
            {
                for (var i = 0; i < size; i++)
                {
                    entry.Sum[i] += values[s * size + i];
                }
            }

            sums[name] = (entry.Sum, entry.Shape, entry.Count + count);
        }

        ObservedRuns.Stream(reference, data, executor, names, BatchSize,
            new ObservedRunErrors(PassErrorCodes.BiasCorrectionFailed, PassErrorCodes.BiasCorrectionFailed, pass, " for bias correction"), Add);
        return sums.ToDictionary(p => p.Key, p => (Scale(p.Value.Sum, p.Value.Count > 0 ? 1.0 / p.Value.Count : 0), p.Value.Count > 0 ? p.Value.Shape : null), StringComparer.Ordinal);
    }
}

/// <summary>Bias correction after a zeroing prune (unstructured or 2:4): where its data comes from, and running it.</summary>
internal sealed class PruneBiasCorrection
{
    private readonly SampleSet? _data;
    private readonly IModelExecutor? _executor;
    private readonly OnnxModel? _reference;

    private PruneBiasCorrection(SampleSet? data, IModelExecutor? executor, OnnxModel? reference, string note)
    {
        (_data, _executor, _reference, Note) = (data, executor, reference, note);
    }

    /// <summary>Why the correction did not run ("" when it runs or was turned off).</summary>
    public string Note { get; }

    public bool Enabled => _reference is not null;

    /// <summary>
    /// Decides before pruning: with <c>BiasCorrection</c> on and calibration data named and loaded, keeps a copy of
    /// <paramref name="model"/> as the reference. A data set the Prune request names itself must be loaded, with an
    /// executor; one inherited from Quantize that is missing is left for Quantize to report.
    /// </summary>
    public static PruneBiasCorrection Prepare(PruneSettings settings, PassContext context, OnnxModel model)
    {
        if (!settings.BiasCorrection)
        {
            return new(null, null, null, "");
        }

        if (settings.Calibration is null)
        {
            return new(null, null, null, "no bias correction (no calibration data: set Prune Calibration, or Quantize StaticInt8 with Calibration)");
        }

        if (context.CalibrationData.GetValueOrDefault(settings.Calibration) is not { } data)
        {
            return settings.CalibrationInherited ? new(null, null, null, $"no bias correction (calibration data '{settings.Calibration}' not loaded)")
                : throw new PassException(PassErrorCodes.PruneCalibrationDataMissing,
                    $"Prune Calibration names '{settings.Calibration}', which was not loaded. Check the path (.npz with one array per input, a test_data_set folder, or .npy/raw float32 for a single input), or set BiasCorrection=false.", PrunePass.Name);
        }

        if (context.Executor is not { } executor)
        {
            return settings.CalibrationInherited ? new(null, null, null, "no bias correction (no model executor)")
                : throw new PassException(PassErrorCodes.BiasCorrectionExecutorMissing,
                    "Prune bias correction must run the float model on the calibration data, and no model executor was given. Pass a PassContext with an executor (OnnxRuntimeModelExecutor), or set BiasCorrection=false.", PrunePass.Name);
        }

        return new(data, executor, model.Clone(), "");
    }

    /// <summary>Corrects the biases of the pruned layers; returns the per-layer details, the layers left uncorrected, and the summary's clause.</summary>
    public (IReadOnlyDictionary<OnnxNode, string> Corrected, IReadOnlyList<PassSkip> Skipped, string Summary) Run(OnnxGraph graph, IReadOnlyList<WeightChange> changes, PruneSettings settings)
    {
        if (_reference is null)
        {
            return (new Dictionary<OnnxNode, string>(), [], Note.Length > 0 ? ", " + Note : "");
        }

        var result = BiasCorrection.Apply(_reference, graph, changes, _data!, _executor!, PrunePass.Name);
        var source = settings.CalibrationInherited ? $"Quantize's calibration data '{settings.Calibration}'" : $"'{settings.Calibration}'";
        var summary = result.Corrected.Count == 0 ? ", no bias corrected"
            : $", bias corrected in {result.Corrected.Count} layers (E[x] over {result.Samples} samples of {source})";
        return (result.Corrected, result.Skipped, summary);
    }
}
