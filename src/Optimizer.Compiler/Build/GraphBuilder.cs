using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>Builds a whole graph for one binding of its symbolic dimensions.</summary>
internal static class GraphBuilder
{
    public static (BuildContext Context, List<UnsupportedNode> Unsupported, Val[] Outputs) Build(OnnxModel model, SymbolBinding binding)
    {
        var graph = model.Graph;
        var ctx = new BuildContext(model.GetOpsetVersion("") ?? 1);
        var unsupported = new List<UnsupportedNode>();
        for (var i = 0; i < graph.Outputs.Count; i++)
        {
            ctx.GraphOutputs.TryAdd(graph.Outputs[i].Name, i);
        }

        var inputs = graph.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            var info = inputs[i];
            var type = info.Type!.ElementType;
            var shape = info.Type.Shape!.Select(d => d.Size is { } size ? size : binding.Of(d.Symbol!)).ToArray();
            try
            {
                var storage = ctx.NewStorage(StorageKind.Input, i, shape.Product() * BuildContext.ElementSize(type));
                ctx.Define(new Val(info.Name, type, shape) { Storage = storage });
            }
            catch (UnsupportedException e)
            {
                unsupported.Add(new UnsupportedNode(info.Name, "Input", e.Message));
                return (ctx, unsupported, new Val[graph.Outputs.Count]);
            }
        }

        foreach (var initializer in graph.Initializers)
        {
            if (!ctx.Has(initializer.Name))
            {
                try
                {
                    ctx.Define(new Val(initializer.Name, initializer.ElementType, Dims.Of(initializer.Dims)) { Const = ConstData.FromTensor(initializer) });
                }
                catch (UnsupportedException)
                {
                    // An initializer of an unsupported type fails only the nodes that read it.
                }
            }
        }

        ctx.Graph = graph;
        ctx.GraphOutputNames.UnionWith(graph.Outputs.Select(o => o.Name));
        QdqFusion.Plan(graph, ctx);
        foreach (var node in graph.GetTopologicalOrder())
        {
            if (ctx.Absorbed.Contains(node))
            {
                continue;
            }

            if (node.Inputs.Any(n => n.Length > 0 && !ctx.Has(n)) && unsupported.Count > 0)
            {
                continue; // downstream of an unsupported node: already reported
            }

            try
            {
                ctx.CurrentNode = NameOf(node);
                NodeEmitter.Emit(ctx, node);
            }
            catch (Exception e) when (e is UnsupportedException or OnnxFormatException or IndexOutOfRangeException or ArgumentException or OverflowException or InvalidCastException)
            {
                unsupported.Add(new UnsupportedNode(NameOf(node), node.OpType, e.Message));
            }
        }

        var outputs = new Val[graph.Outputs.Count];
        if (unsupported.Count > 0)
        {
            return (ctx, unsupported, outputs);
        }

        for (var i = 0; i < graph.Outputs.Count; i++)
        {
            var v = ctx.Get(graph.Outputs[i].Name);
            outputs[i] = v;
            if (v.Storage is { Kind: StorageKind.Output } s && s.Index == i && v.Offset == 0)
            {
                continue;
            }

            if (v.Type != TensorElementType.Float)
            {
                unsupported.Add(new UnsupportedNode(graph.Outputs[i].Name, "Output", $"output of type {v.Type} that is not written by a kernel"));
                continue;
            }

            ctx.CurrentNode = graph.Outputs[i].Name;
            var target = ctx.NewStorage(StorageKind.Output, i, v.Count * 4);
            ctx.Emit(StepKind.Copy, [ctx.Op(v), new RawOperand(target, 0, v.Count)], [v.Count], []);
        }

        return (ctx, unsupported, outputs);
    }

    public static string NameOf(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? "<unnamed>";
}
