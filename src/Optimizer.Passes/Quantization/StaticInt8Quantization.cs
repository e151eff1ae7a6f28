// Static INT8 quantization in QDQ form, with activation ranges calibrated on real data.
//
// Activations default to uint8 (asymmetric), weights to symmetric int8 per output channel:
// - ONNX Runtime's x86 CPU kernels are built around uint8 activations × int8 weights (MLAS
//   U8S8); int8 activations are accepted but shifted to uint8 inside the kernels, so uint8 is
//   the native form and avoids that conversion.
// - Relu outputs folded into Conv/Gemm/MatMul/Add/Mul/pooling ranges are [0, max]: uint8 zero point 0 puts all 256
//   levels on the used range, and ORT's own QDQ Relu removal expects exactly that.
// - Int8 (ActivationType=Int8) is offered for targets whose kernels prefer S8S8 (Arm, VNNI).
// Weights use 7 bits by default (ReduceRange=true) for the same reason as DynamicInt8: ORT's
// U8S8 kernels on x86 without VNNI add pairs of uint8×int8 products in saturating int16
// (vpmaddubsw); 255 × 63 × 2 stays below 32767, 255 × 127 × 2 does not.
// Format=QOperator rewrites the QDQ result into the quantized operators (QOperatorRewriter): same
// ORT numerics, smaller file.
// Calibration: the float model runs over the data set named by the Calibration option (loaded by
// the caller into PassContext); each value to quantize is streamed into a running histogram and
// reduced to a range by CalibrationMethod. The result is cached by content hash when the caller
// provides a cache.
// Bias correction (Pruning/BiasCorrection.cs, Nagel et al. 2019; NNCF's FastBiasCorrection): each
// quantized Conv/Gemm's bias absorbs the expected output shift its int8 weights cause,
// (W_q − W)·E[x], with E[x] measured on the float model over the same calibration data. It has no
// parameters. Off by default: with per-channel (7-bit) weights the shift is tiny; on the digits
// models it moved calibration-set cross-entropy by < 1% and flipped single test images either way
// (see the BiasCorrection tests), so it is not worth a second float run over the data by default;
// [Quantize(StaticInt8, BiasCorrection = true)] turns it on.

using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Passes.Opset;
using Optimizer.Passes.Quantization.Operators;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// The options of <c>Quantize Mode=StaticInt8</c>. <c>BiasCorrection</c> (the Quantize option of that name) corrects each
/// quantized layer's bias for the mean shift its int8 weights cause (see the header).
/// </summary>
internal sealed record StaticInt8Options(string Calibration, CalibrationSettings Settings, QuantizedActivationType ActivationType, bool ReduceRange, bool BiasCorrection = false, WeightGranularity Granularity = WeightGranularity.Auto, QuantizationFormat Format = QuantizationFormat.Qdq)
{
    /// <summary>Also store embedding tables as int8 rows (option Embeddings; weight-only, no calibration).</summary>
    public bool Embeddings { get; init; } = true;

    /// <summary>Names of layers the caller keeps in float32 (option KeepFloat, e.g. set by the accuracy budget).</summary>
    public IReadOnlySet<string> KeepFloat { get; init; } = new HashSet<string>();
}

/// <summary>Quantizes Conv/Gemm/MatMul/pooling/Add/Mul/Concat to QDQ int8 with calibrated activation ranges.</summary>
internal sealed class StaticInt8Quantization(StaticInt8Options options, PassContext context) : IModelPass
{
    private const long RequiredOpset = 13; // per-axis DequantizeLinear
    private const long RequiredIrVersion = 7;

    /// <summary>The calibration settings with CalibrationMethod.Auto resolved for the model being quantized.</summary>
    private CalibrationSettings _settings = options.Settings;

    public int Stage => Schema.PassSchema.Quantize.Order;

    public PassReport Run(OnnxModel model)
    {
        _settings = AttentionModels.Resolve(options.Settings, model.Graph);
        var weightedOnly = AttentionModels.WeightedOnlyReason(model.Graph);
        var data = context.CalibrationData.GetValueOrDefault(options.Calibration)
            ?? throw new PassException(PassErrorCodes.CalibrationDataMissing,
                $"Quantize Mode=StaticInt8 names calibration data '{options.Calibration}', which was not loaded. Check the Calibration path (.npz with one array per input, a test_data_set folder, or .npy/raw float32 for a single input).", QuantizePass.Name);
        var executor = context.Executor
            ?? throw new PassException(PassErrorCodes.ModelExecutorMissing,
                "Quantize Mode=StaticInt8 must run the model to calibrate, and no model executor was given. Pass a PassContext with an executor (OnnxRuntimeModelExecutor).", QuantizePass.Name);

        // An older opset is raised on a copy (every node adapted) or the reason is reported per node.
        var raise = OpsetRaise.Prepare(model, RequiredOpset, "static INT8 needs per-channel QuantizeLinear/DequantizeLinear (axis), opset 13");
        var input = raise.Model;
        // Planned, calibrated, and planned again without the layers whose ranges are too wide for 8 bits
        // (at most twice: the second plan observes a subset of the first's values, already calibrated).
        var keepFloat = options.KeepFloat;
        var wide = new List<PassSkip>();
        CalibrationResult? firstCalibration = null;
        while (true)
        {
            var working = input.Clone();
            var folded = ActivationFolding.Fold(working.Graph);
            var plan = QdqPlanner.Plan(working.Graph, folded.Select(f => f.Activation.Outputs[0]).ToHashSet(), keepFloat, weightedOnly);
            plan.Skipped.AddRange(SubgraphCandidates.Skips(working.Graph, n => QuantizedOps.Find(n) is { Family: not QuantizedOpFamily.DataMovement }));
            foreach (var (activation, producer) in folded.Where(f => !plan.QuantizedNodes.Contains(f.Producer)).ToList())
            {
                ActivationFolding.Unfold(working.Graph, activation, producer);
                folded.Remove((activation, producer));
            }

            plan.Skipped.AddRange(wide);
            if (raise.Problem is { } problem)
            {
                return Report([], plan.QuantizedNodes.Select(n => new PassSkip(QdqPlanner.NameOf(n), problem)).Concat(plan.Skipped).ToList(), 0, 0, "");
            }

            if (plan.Activations.Count == 0)
            {
                return Report([], plan.Skipped, 0, 0, "");
            }

            var (calibration, fromCache) = firstCalibration is { } first && plan.Activations.All(first.Ranges.ContainsKey)
                ? (first, false)
                : Calibrate(input, data, executor, plan);
            firstCalibration ??= calibration;
            var tooWide = WideRanges.Layers(plan, calibration.Ranges);
            if (tooWide.Count > 0 && wide.Count == 0)
            {
                wide.AddRange(tooWide);
                keepFloat = keepFloat.Union(tooWide.Select(s => s.Node)).ToHashSet(StringComparer.Ordinal);
                continue;
            }

            return Quantize(model, input, working, plan, folded, calibration, fromCache, data, executor, raise);
        }
    }

    private PassReport Quantize(OnnxModel model, OnnxModel input, OnnxModel working, QdqPlan plan, List<(OnnxNode Activation, OnnxNode Producer)> folded,
        CalibrationResult calibration, bool fromCache, SampleSet data, IModelExecutor executor, OpsetRaise raise)
    {
        var corrected = options.BiasCorrection ? CorrectBiases(input, working.Graph, plan, data, executor) : null;
        var ranges = SharedRanges(plan, calibration.Ranges);
        var rewriter = new QdqRewriter(working.Graph, options.ActivationType, options.ReduceRange, options.Granularity);
        var changed = rewriter.Apply(plan, ranges);
        if (corrected is not null)
        {
            var details = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (node, detail) in corrected.Corrected)
            {
                details[QdqPlanner.NameOf(node)] = detail;
            }

            changed = changed.Select(c => details.TryGetValue(c.Node, out var d) ? c with { Detail = $"{c.Detail}; {d}" } : c).ToList();
            plan.Skipped.AddRange(corrected.Skipped);
        }

        changed.AddRange(folded.Select(f => new PassChange(QdqPlanner.NameOf(f.Activation), "folded into the preceding layer's quantized output range")));
        var tables = options.Embeddings ? EmbeddingTableRewriter.QuantizeAll(working.Graph, changed, plan.Skipped) : EmbeddingTables.None;
        var operators = options.Format == QuantizationFormat.QOperator ? QOperatorRewriter.Apply(working.Graph) : 0;
        model.Graph = working.Graph;
        if (working.Graph.Nodes.Any(n => n.Domain == QOperatorRewriter.MicrosoftDomain) && model.GetOpsetVersion(QOperatorRewriter.MicrosoftDomain) is null)
        {
            model.SetOpsetVersion(QOperatorRewriter.MicrosoftDomain, 1);
        }

        if (model.GetOpsetVersion("") < RequiredOpset)
        {
            model.SetOpsetVersion("", RequiredOpset);
        }

        model.IrVersion = Math.Max(model.IrVersion, RequiredIrVersion);
        var source = (fromCache ? "cached calibration" : $"{data.SampleCount} calibration samples") +
                     (corrected is { Corrected.Count: > 0 } ? $", bias corrected in {corrected.Corrected.Count} layers" : "");
        source += $", weights {options.Granularity}" + (options.Granularity == WeightGranularity.Auto ? $" ({rewriter.PerTensorWeights} of {plan.WeightedNodes.Count} per-tensor)" : "");
        source += options.Format == QuantizationFormat.QOperator ? $", QOperator format ({operators} quantized operators)" : "";
        source += tables.Candidates > 0 ? $", {tables.Changed} of {tables.Candidates} Gather tables int8" : "";
        var report = Report(changed, plan.Skipped, rewriter.FloatWeightBytes + tables.FloatBytes, rewriter.QuantizedWeightBytes + tables.Int8Bytes, source);
        return raise.Raised is { } raised ? report with { Summary = $"{report.Summary}; {raised.Detail}", Changed = [raised, .. report.Changed] } : report;
    }

    private (CalibrationResult Result, bool FromCache) Calibrate(OnnxModel model, SampleSet data, IModelExecutor executor, QdqPlan plan)
    {
        var observed = plan.Activations.Distinct().Order(StringComparer.Ordinal).ToArray();
        var key = CalibrationCacheKey.Compute(OnnxModelWriter.ToBytes(model), data, $"{_settings};observed={string.Join("\n", observed)}");
        if (context.CalibrationCache?.TryGet(key) is { } cached)
        {
            try
            {
                var result = CalibrationResult.FromBytes(cached);
                if (observed.All(result.Ranges.ContainsKey))
                {
                    return (result, true);
                }
            }
            catch (PassException)
            {
                // An unreadable cache entry is recomputed and overwritten.
            }
        }

        var calibrated = ActivationCalibrator.Calibrate(model, data, executor, observed, _settings);
        context.CalibrationCache?.Set(key, calibrated.ToBytes());
        return (calibrated, false);
    }

    /// <summary>
    /// Corrects the biases of the planned Conv/Gemm (and MatMul+Add) layers in <paramref name="graph"/> for the mean shift
    /// their quantized weights cause; the weights are quantized here exactly as QdqRewriter will quantize them.
    /// </summary>
    private Pruning.BiasCorrectionResult CorrectBiases(OnnxModel model, OnnxGraph graph, QdqPlan plan, SampleSet data, IModelExecutor executor)
    {
        var changes = new List<Pruning.WeightChange>();
        foreach (var node in plan.WeightedNodes)
        {
            var weight = graph.FindConstant(node.Inputs[WeightedOp.WeightInput])!;
            var axis = QuantizedOps.Find(node)!.Weight!.Layout(node, weight.Dims).ChannelAxis;
            var before = weight.ToFloatArray();
            var (values, scales) = WeightGranularityChoice.Quantize(before, weight.Dims, axis, options.ReduceRange, options.Granularity);
            var inner = (int)weight.Dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
            var after = new float[values.Length];
            for (var i = 0; i < after.Length; i++)
            {
                after[i] = values[i] * scales[i / inner % scales.Length];
            }

            changes.Add(new Pruning.WeightChange(node, before, after));
        }

        return Pruning.BiasCorrection.Apply(model, graph, changes, data, executor, QuantizePass.Name);
    }

    /// <summary>Applies the plan's shared ranges: data movement takes its input's range; Concat's inputs and output take their union.</summary>
    private static Dictionary<string, TensorRange> SharedRanges(QdqPlan plan, IReadOnlyDictionary<string, TensorRange> calibrated)
    {
        var ranges = calibrated.ToDictionary();
        foreach (var group in plan.SharedRange.Where(p => !plan.SharedRange.ContainsKey(p.Value)).GroupBy(p => p.Value))
        {
            var union = group.Aggregate(ranges[group.Key], (r, p) => r.Union(ranges[p.Key]));
            ranges[group.Key] = union;
        }

        // Resolve chains (MaxPool → Flatten) by following each value to the range it shares.
        foreach (var value in plan.SharedRange.Keys)
        {
            var root = value;
            for (var hops = 0; plan.SharedRange.TryGetValue(root, out var next) && hops < plan.SharedRange.Count; hops++)
            {
                root = next;
            }

            ranges[value] = ranges[root];
        }

        return ranges;
    }

    private PassReport Report(List<PassChange> changed, List<PassSkip> skipped, long floatBytes, long quantizedBytes, string source)
    {
        var sizes = floatBytes > 0 ? string.Create(CultureInfo.InvariantCulture, $", weights {floatBytes / 1024.0:F1} KB → {quantizedBytes / 1024.0:F1} KB") : "";
        var method = options.Settings.Method == CalibrationMethod.Auto ? $"{_settings.Method} (Auto)" : $"{_settings.Method}";
        var summary = $"StaticInt8 ({method}, {options.ActivationType} activations{(options.ReduceRange ? ", 7-bit weights" : "")}" +
                      $"{(source.Length > 0 ? ", " + source : "")}): {changed.Count} nodes quantized{sizes}" +
                      (skipped.Count > 0 ? $", {skipped.Count} skipped" : "");
        return new PassReport(QuantizePass.Name, summary, changed, skipped)
        {
            Shortfall = changed.Count == 0 ? PassShortfall.FromSkips("StaticInt8 quantized 0 nodes", skipped) : null,
        };
    }
}
