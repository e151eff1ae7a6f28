// DynamicInt8 beyond MatMul/Gemm: Conv and LSTM (DynamicLayerKinds), in the main graph and inside
// If/Loop/Scan bodies at any depth (silero's layers all sit in If branches).
// - A subgraph is read as a copy, rewritten with its enclosing graphs as scope (a weight may be an
//   initializer or Constant of any enclosing graph), and written back on its node only when
//   something in it changed, so untouched subgraphs keep their bytes.
// - Names come from one UniqueNames over the whole model, subgraphs included, so a new name never
//   shadows or collides with one in another branch.
// - The outer graph's opset imports cover every branch: DynamicQuantizeLinear's opset 11 is raised
//   on a copy as the MatMul part does (OpsetRaise), and com.microsoft is imported when an LSTM
//   became DynamicQuantizeLSTM.
// - A kind the table keeps float is reported per node with the measured reason: the summary says
//   why, and so does the OPT1205 shortfall when nothing in the model was quantized (DynamicLayerResult).

using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes.Opset;

namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>Quantizes the Conv and LSTM layers of a model as <see cref="DynamicLayerKinds"/> decides, anywhere in it.</summary>
internal sealed class DynamicLayerQuantization(bool perChannel, bool reduceRange, IReadOnlyList<DynamicLayerKind> kinds)
{
    private const long RequiredIrVersion = 6;

    /// <summary>Runs the table's decisions on <paramref name="model"/> and adds what was done to the MatMul/Gemm report.</summary>
    public static PassReport Extend(PassReport matMulReport, OnnxModel model, bool perChannel, bool reduceRange) =>
        new DynamicLayerQuantization(perChannel, reduceRange, DynamicLayerKinds.All).Run(model).MergeInto(matMulReport);

    public DynamicLayerResult Run(OnnxModel model)
    {
        var counts = kinds.ToDictionary(k => k.OpType, k => new KindCount(k));
        var candidates = AllNodes(model.Graph).Where(n => n.IsDefaultDomain && counts.ContainsKey(n.OpType)).ToList();
        candidates.ForEach(n => counts[n.OpType].Candidates++);
        var required = kinds.Where(k => k.Quantize && counts[k.OpType].Candidates > 0).Select(k => k.RequiredOpset).DefaultIfEmpty(0).Max();
        var raise = required > 0 ? OpsetRaise.Prepare(model, required, $"DynamicQuantizeLinear needs opset {required}") : new OpsetRaise(model, null, null);

        var context = new DynamicRewriteContext(raise.Model.Graph, perChannel, reduceRange);
        var walk = new Walk(kinds.ToDictionary(k => k.OpType, k => (k, k.Rewriter(context))), counts, context, raise.Problem);
        walk.Rewrite(GraphScope.Main(raise.Model.Graph));

        var changed = walk.Changed;
        if (changed.Count > 0)
        {
            model.Graph = raise.Model.Graph;
            if (raise.Raised is { } raised)
            {
                model.SetOpsetVersion("", required);
                model.IrVersion = Math.Max(model.IrVersion, RequiredIrVersion);
                changed.Insert(0, raised);
            }

            foreach (var domain in counts.Values.Where(c => c.Quantized > 0).Select(c => c.Kind.Domain).OfType<string>().Distinct())
            {
                if (model.GetOpsetVersion(domain) is null)
                {
                    model.SetOpsetVersion(domain, 1);
                }
            }
        }

        return new DynamicLayerResult(changed, walk.Skipped, Summary(counts.Values, context));
    }

    private static string Summary(IEnumerable<KindCount> counts, DynamicRewriteContext context)
    {
        var parts = counts.Where(c => c.Candidates > 0).Select(c => c.Kind.Quantize
            ? $"{c.Quantized} of {c.Candidates} {c.Kind.OpType} → {c.Kind.QuantizedForm}"
            : $"0 of {c.Candidates} {c.Kind.OpType} (kept float: {c.Kind.Measured})").ToList();
        if (context.FloatWeightBytes > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"their weights {context.FloatWeightBytes / 1024.0:F1} KB → {context.Int8WeightBytes / 1024.0:F1} KB"));
        }

        return string.Join(", ", parts);
    }

    private static IEnumerable<OnnxNode> AllNodes(OnnxGraph graph) =>
        graph.Nodes.Concat(graph.Nodes.SelectMany(n => n.Attributes).Where(a => a.HasSubgraphs).SelectMany(a => a.ReadSubgraphs()).SelectMany(AllNodes));

    private sealed class KindCount(DynamicLayerKind kind)
    {
        public DynamicLayerKind Kind => kind;

        public int Candidates { get; set; }

        public int Quantized { get; set; }
    }

    /// <summary>One pass over the graph and, depth first, every subgraph in it.</summary>
    private sealed class Walk(
        Dictionary<string, (DynamicLayerKind Kind, IDynamicLayerRewriter Rewriter)> kinds,
        Dictionary<string, KindCount> counts,
        DynamicRewriteContext context,
        string? opsetProblem)
    {
        public List<PassChange> Changed { get; } = new();

        public List<PassSkip> Skipped { get; } = new();

        public void Rewrite(GraphScope scope)
        {
            foreach (var node in scope.Graph.Nodes.ToList())
            {
                foreach (var attribute in node.Attributes.Where(a => a.HasSubgraphs).ToList())
                {
                    RewriteSubgraph(scope, node, attribute);
                }

                if (node.IsDefaultDomain && kinds.TryGetValue(node.OpType, out var kind))
                {
                    RewriteLayer(scope, node, kind.Kind, kind.Rewriter);
                }
            }

            context.RemoveUnusedFloatWeights(scope.Graph);
        }

        private void RewriteSubgraph(GraphScope scope, OnnxNode owner, OnnxAttribute attribute)
        {
            var subgraphs = attribute.ReadSubgraphs();
            if (attribute.Kind != AttributeKind.Graph)
            {
                // No standard operator holds a list of graphs; its layers are named, not rewritten.
                Skipped.AddRange(subgraphs.SelectMany(AllNodes).Where(n => n.IsDefaultDomain && kinds.ContainsKey(n.OpType))
                    .Select(n => new PassSkip(scope.Enter(subgraphs[0], owner, attribute.Name).NameOf(n), "inside a list of subgraphs, which this pass does not rewrite")));
                return;
            }

            var before = Changed.Count;
            Rewrite(scope.Enter(subgraphs[0], owner, attribute.Name));
            if (Changed.Count > before)
            {
                owner.SetAttribute(OnnxAttribute.FromGraph(attribute.Name, subgraphs[0]));
            }
        }

        private void RewriteLayer(GraphScope scope, OnnxNode node, DynamicLayerKind kind, IDynamicLayerRewriter rewriter)
        {
            var name = scope.NameOf(node);
            if (!kind.Quantize)
            {
                Skipped.Add(new PassSkip(name, $"kept float: {kind.Measured}"));
                return;
            }

            if (kind.RequiredOpset > 0 && opsetProblem is not null)
            {
                Skipped.Add(new PassSkip(name, opsetProblem));
                return;
            }

            var (detail, reason) = rewriter.TryRewrite(node, scope);
            if (detail is not null)
            {
                counts[kind.OpType].Quantized++;
                Changed.Add(new PassChange(name, detail));
            }
            else
            {
                Skipped.Add(new PassSkip(name, reason!));
            }
        }
    }
}
