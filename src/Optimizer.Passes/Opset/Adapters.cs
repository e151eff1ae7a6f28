// One adapter per operator change (see OpsetChanges). Each rewrites the node in place (adding
// initializers or helper nodes where needed) so that under the newer operator version it computes
// exactly what it computed before, records what it did, and returns null; or returns why it
// cannot, leaving the upgrade to be refused as a whole.

using Optimizer.Onnx;

namespace Optimizer.Passes.Opset;

internal static class Adapters
{
    private static readonly Dictionary<string, TensorElementType> CastNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["FLOAT"] = TensorElementType.Float, ["UINT8"] = TensorElementType.UInt8, ["INT8"] = TensorElementType.Int8,
        ["UINT16"] = TensorElementType.UInt16, ["INT16"] = TensorElementType.Int16, ["INT32"] = TensorElementType.Int32,
        ["INT64"] = TensorElementType.Int64, ["STRING"] = TensorElementType.String, ["BOOL"] = TensorElementType.Bool,
        ["FLOAT16"] = TensorElementType.Float16, ["DOUBLE"] = TensorElementType.Double, ["UINT32"] = TensorElementType.UInt32,
        ["UINT64"] = TensorElementType.UInt64,
    };

    /// <summary>Moves an int-list attribute to a constant int64 input at position 1 (Squeeze/Unsqueeze/ReduceSum axes, Split split).</summary>
    public static OpAdapter AttributeToInput(string attribute) => (context, node) =>
    {
        if (node.FindAttribute(attribute) is not { } attr)
        {
            return null;
        }

        if (node.Inputs.Count != 1)
        {
            return $"it has {node.Inputs.Count} inputs where one was expected";
        }

        node.Inputs.Add(context.AddInt64s(node, attribute, attr.Ints));
        Remove(node, attribute);
        context.Record(node, $"{node.OpType}: {attribute} attribute {Invariant.List(attr.Ints)} → constant input (opset 13)");
        return null;
    };

    public static OpAdapter DropAttributes(params string[] names) => (context, node) =>
    {
        var dropped = names.Where(n => node.FindAttribute(n) is not null).ToArray();
        if (dropped.Length > 0)
        {
            node.Attributes.RemoveAll(a => dropped.Contains(a.Name));
            context.Record(node, $"{node.OpType}: {string.Join(", ", dropped)} attribute dropped (no effect in inference)");
        }

        return null;
    };

    public static OpAdapter RefuseAttribute(string name) => (_, node) =>
        node.FindAttribute(name) is null ? null : $"it sets {name}, which the newer version cannot express";

    public static string? LegacyBroadcast(UpgradeContext context, OnnxNode node)
    {
        var broadcast = node.FindAttribute("broadcast");
        var axisAttribute = node.FindAttribute("axis");
        if (broadcast is null && axisAttribute is null)
        {
            return null;
        }

        if ((broadcast?.Int ?? 0) == 0 || axisAttribute is null)
        {
            // No broadcasting (same shapes), or B's shape aligned with A's trailing dimensions: numpy rules agree.
            Remove(node, "broadcast");
            Remove(node, "axis");
            context.Record(node, $"{node.OpType}: legacy broadcast attributes dropped, numpy broadcasting gives the same result (opset 7)");
            return null;
        }

        if (node.Inputs.Count != 2 || context.RankOf(node.Inputs[0]) is not { } rankA || context.RankOf(node.Inputs[1]) is not { } rankB)
        {
            return "broadcast with axis needs the ranks of both inputs, which are not known";
        }

        var axis = axisAttribute.Int < 0 ? axisAttribute.Int + rankA : axisAttribute.Int;
        var trailing = rankA - axis - rankB;
        if (axis < 0 || trailing < 0)
        {
            return $"axis {axisAttribute.Int} does not fit input ranks {rankA} and {rankB}";
        }

        Remove(node, "broadcast");
        Remove(node, "axis");
        if (trailing == 0)
        {
            context.Record(node, $"{node.OpType}: legacy broadcast at axis {axis} aligns trailing dimensions; numpy broadcasting gives the same result (opset 7)");
            return null;
        }

        var expanded = context.NewName($"{node.Inputs[1]}_aligned");
        var unsqueeze = new OnnxNode("Unsqueeze", [node.Inputs[1]], [expanded], context.NewName($"{OpsetUpgrader.Describe(node)}_align"));
        unsqueeze.SetAttribute(OnnxAttribute.FromInts("axes", Enumerable.Range((int)rankB, (int)trailing).Select(i => (long)i)));
        context.InsertBefore(node, unsqueeze);
        node.Inputs[1] = expanded;
        context.Record(node, $"{node.OpType}: legacy broadcast at axis {axis} → Unsqueeze of B by {trailing} trailing dimensions + numpy broadcasting (opset 7)");
        return null;
    }

    public static string? GemmBroadcast(UpgradeContext context, OnnxNode node)
    {
        if (Remove(node, "broadcast") is not null)
        {
            context.Record(node, "Gemm: broadcast attribute dropped, C broadcasts unidirectionally (opset 7)");
        }

        return null;
    }

    public static string? ConcatAxis(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("axis") is null)
        {
            node.SetAttribute(OnnxAttribute.FromInt("axis", 1));
            context.Record(node, "Concat: default axis 1 made explicit (opset 4)");
        }

        return null;
    }

    public static string? ReshapeShape(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("shape") is not { } shape)
        {
            return node.Inputs.Count >= 2 ? null : "it has neither a shape attribute nor a shape input";
        }

        if (node.Inputs.Count != 1)
        {
            return "it has both a shape attribute and a second input";
        }

        node.Inputs.Add(context.AddInt64s(node, "shape", shape.Ints));
        Remove(node, "shape");
        context.Record(node, $"Reshape: shape attribute {Invariant.List(shape.Ints)} → constant input (opset 5)");
        return null;
    }

    public static string? CastTo(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("to") is not { Kind: AttributeKind.String } to)
        {
            return null;
        }

        if (!CastNames.TryGetValue(to.String, out var type))
        {
            return $"to='{to.String}' is not a known type name";
        }

        node.SetAttribute(OnnxAttribute.FromInt("to", (long)type));
        context.Record(node, $"Cast: to '{to.String}' → {(long)type} (opset 6)");
        return null;
    }

    public static string? SplitSecondInput(UpgradeContext context, OnnxNode node) =>
        node.Inputs.Count > 1 && node.Inputs[1].Length > 0 ? "split is given as a second input" : null;

    public static string? SoftmaxFamily(UpgradeContext context, OnnxNode node)
    {
        var axis = node.FindAttribute("axis")?.Int ?? 1;
        if (context.RankOf(node.Inputs[0]) is { } rank)
        {
            var normalized = axis < 0 ? axis + rank : axis;
            if (normalized == rank - 1)
            {
                node.SetAttribute(OnnxAttribute.FromInt("axis", normalized));
                context.Record(node, $"{node.OpType}: axis {normalized} is the last of {rank} dimensions, where the 2-D coercion and the single-axis form agree; axis made explicit (opset 13)");
                return null;
            }
        }

        // Keep the old semantics exactly: coerce to 2-D at axis, normalize the rows, restore the shape.
        var input = node.Inputs[0];
        var output = node.Outputs[0];
        var name = OpsetUpgrader.Describe(node);
        var flat = context.NewName($"{output}_2d");
        var normalizedRows = context.NewName($"{output}_2d_out");
        var shape = context.NewName($"{output}_shape");
        var flatten = new OnnxNode("Flatten", [input], [flat], context.NewName($"{name}_flatten"));
        flatten.SetAttribute(OnnxAttribute.FromInt("axis", axis));
        var shapeOf = new OnnxNode("Shape", [input], [shape], context.NewName($"{name}_shape"));
        var reshape = new OnnxNode("Reshape", [normalizedRows, shape], [output], context.NewName($"{name}_reshape"));
        node.Inputs[0] = flat;
        node.Outputs[0] = normalizedRows;
        node.SetAttribute(OnnxAttribute.FromInt("axis", 1));
        context.InsertBefore(node, flatten, shapeOf);
        context.InsertAfter(node, reshape);
        context.Record(node, $"{node.OpType}: axis {axis} is not known to be the last dimension; Flatten(axis={axis}) → {node.OpType}(axis=1) → Reshape to the input's shape keeps the 2-D coercion (opset 13)");
        return null;
    }

    public static string? SliceInputs(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("starts") is not { } starts || node.FindAttribute("ends") is not { } ends)
        {
            return node.Inputs.Count >= 3 ? null : "it has no starts/ends attributes";
        }

        if (node.Inputs.Count != 1)
        {
            return "it has attributes and extra inputs";
        }

        node.Inputs.Add(context.AddInt64s(node, "starts", starts.Ints));
        node.Inputs.Add(context.AddInt64s(node, "ends", ends.Ints));
        var axes = node.FindAttribute("axes");
        if (axes is not null)
        {
            node.Inputs.Add(context.AddInt64s(node, "axes", axes.Ints));
        }

        Remove(node, "starts");
        Remove(node, "ends");
        Remove(node, "axes");
        context.Record(node, $"Slice: starts {Invariant.List(starts.Ints)}, ends {Invariant.List(ends.Ints)}{(axes is null ? "" : $", axes {Invariant.List(axes.Ints)}")} → constant inputs (opset 10)");
        return null;
    }

    public static string? TopKInput(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("k") is not { } k)
        {
            return node.Inputs.Count >= 2 ? null : "it has no k attribute";
        }

        node.Inputs.Add(context.AddInt64s(node, "k", [k.Int]));
        Remove(node, "k");
        context.Record(node, $"TopK: k={k.Int} → constant input (opset 10)");
        return null;
    }

    public static string? PadRename(UpgradeContext context, OnnxNode node)
    {
        if (Remove(node, "paddings") is { } paddings)
        {
            node.SetAttribute(OnnxAttribute.FromInts("pads", paddings.Ints));
            context.Record(node, "Pad: paddings attribute renamed pads (opset 2)");
        }

        return null;
    }

    public static string? PadInputs(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("pads") is not { } pads)
        {
            return node.Inputs.Count >= 2 ? null : "it has no pads attribute";
        }

        if (node.Inputs.Count != 1)
        {
            return "it has attributes and extra inputs";
        }

        var value = node.FindAttribute("value")?.Float ?? 0f;
        node.Inputs.Add(context.AddInt64s(node, "pads", pads.Ints));
        if (value != 0f)
        {
            var type = context.ElementTypeOf(node.Inputs[0]);
            if (context.AddScalar(node, "value", value, type) is not { } valueInput)
            {
                return $"the padding value needs the input's element type, which is {(type == TensorElementType.Undefined ? "not known" : type.ToString())}";
            }

            node.Inputs.Add(valueInput);
        }

        Remove(node, "pads");
        Remove(node, "value");
        context.Record(node, $"Pad: pads {Invariant.List(pads.Ints)}{(value != 0f ? $" and value {value}" : "")} → constant inputs (opset 11)");
        return null;
    }

    public static string? ClipInputs(UpgradeContext context, OnnxNode node)
    {
        var min = node.FindAttribute("min");
        var max = node.FindAttribute("max");
        if (min is null && max is null)
        {
            return null;
        }

        var type = context.ElementTypeOf(node.Inputs[0]);
        if (type is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.Double))
        {
            return $"min/max need the input's element type, which is {(type == TensorElementType.Undefined ? "not known" : type.ToString())}";
        }

        var minInput = min is null ? "" : context.AddScalar(node, "min", min.Float, type)!;
        var maxInput = max is null ? "" : context.AddScalar(node, "max", max.Float, type)!;
        node.Inputs.RemoveRange(1, node.Inputs.Count - 1);
        node.Inputs.Add(minInput);
        if (maxInput.Length > 0)
        {
            node.Inputs.Add(maxInput);
        }

        Remove(node, "min");
        Remove(node, "max");
        context.Record(node, $"Clip: min {min?.Float.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, max {max?.Float.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "-"} attributes → constant {type} inputs (opset 11)");
        return null;
    }

    public static string? UpsampleScalesInput(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("scales") is not { } scales)
        {
            return node.Inputs.Count >= 2 ? null : "it has no scales attribute";
        }

        node.Inputs.Add(context.AddFloats(node, "scales", scales.Floats));
        Remove(node, "scales");
        context.Record(node, $"Upsample: scales {Invariant.List(scales.Floats)} → constant input (opset 9)");
        return null;
    }

    public static string? UpsampleToResize(UpgradeContext context, OnnxNode node)
    {
        if (node.Inputs.Count != 2)
        {
            return "it does not have exactly the inputs X and scales";
        }

        node.OpType = "Resize";
        context.FromUpsample.Add(node);
        context.Record(node, "Upsample: → Resize with the same inputs and mode (opset 10)");
        return null;
    }

    public static string? Resize10To11(UpgradeContext context, OnnxNode node)
    {
        if (node.Inputs.Count != 2)
        {
            return "it does not have exactly the inputs X and scales";
        }

        var mode = node.FindAttribute("mode")?.String ?? "nearest";
        string? nearestMode = null;
        if (mode == "nearest")
        {
            // ONNX Runtime's opset ≤ 10 nearest picks floor(x / scale) when upsampling and ceil when
            // downsampling, per dimension; one nearest_mode expresses it only when all agree.
            // Upsample's scales are ≥ 1 by definition, so a former Upsample always floors.
            var constant = context.Graph.FindConstant(node.Inputs[1]);
            if (!context.FromUpsample.Contains(node) && constant is not { ElementType: TensorElementType.Float })
            {
                return "nearest resizing with scales computed at run time has no single equivalent nearest_mode";
            }

            var values = context.FromUpsample.Contains(node) ? [1f] : constant!.ToFloatArray();
            nearestMode = values.All(s => s >= 1) ? "floor" : values.All(s => s <= 1) ? "ceil" : null;
            if (nearestMode is null)
            {
                return "nearest resizing that up- and downsamples at once has no single equivalent nearest_mode";
            }
        }
        else if (mode != "linear")
        {
            return $"mode '{mode}' is not a Resize-10 mode";
        }

        node.Inputs.Insert(1, context.AddFloats(node, "roi", []));
        node.SetAttribute(OnnxAttribute.FromString("coordinate_transformation_mode", "asymmetric"));
        if (nearestMode is not null)
        {
            node.SetAttribute(OnnxAttribute.FromString("nearest_mode", nearestMode));
        }

        context.Record(node, $"Resize: empty roi input added, coordinate_transformation_mode=asymmetric{(nearestMode is null ? "" : $", nearest_mode={nearestMode}")} keep the opset-10 sampling (opset 11)");
        return null;
    }

    public static string? BatchNormSpatial(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("spatial") is not { } spatial)
        {
            return null;
        }

        if (spatial.Int == 0)
        {
            return "spatial=0 (statistics per activation, not per channel) has no equivalent";
        }

        Remove(node, "spatial");
        context.Record(node, "BatchNormalization: spatial=1 attribute dropped (always spatial) (opset 9)");
        return null;
    }

    public static string? DropoutMask(UpgradeContext context, OnnxNode node)
    {
        if (node.Outputs.Count > 1 && node.Outputs[1] is { Length: > 0 } mask &&
            (context.Graph.FindConsumers(mask).Count > 0 || context.Graph.IsUsedOutsideExplicitInputs(mask)))
        {
            return "its mask output is used, and the mask changed type to bool";
        }

        return null;
    }

    public static string? DropoutRatio(UpgradeContext context, OnnxNode node)
    {
        if (node.FindAttribute("ratio") is not { } ratio)
        {
            return null;
        }

        if (node.Inputs.Count != 1)
        {
            return "it has a ratio attribute and extra inputs";
        }

        node.Inputs.Add(context.AddFloats(node, "ratio", [ratio.Float], scalar: true));
        Remove(node, "ratio");
        context.Record(node, $"Dropout: ratio {ratio.Float} → constant input (opset 12)");
        return null;
    }

    private static OnnxAttribute? Remove(OnnxNode node, string name)
    {
        var attribute = node.FindAttribute(name);
        if (attribute is not null)
        {
            node.Attributes.Remove(attribute);
        }

        return attribute;
    }
}
