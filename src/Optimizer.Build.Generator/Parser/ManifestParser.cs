using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Optimizer.Build.Generator.Model;
using Optimizer.Build.Generator.Parser.Json;
using Optimizer.Engine.Output;

namespace Optimizer.Build.Generator.Parser;

/// <summary>
/// Reads a <c>*.model.json</c> manifest strictly: every field the generator uses must be present
/// with the right JSON type; fields it does not use are ignored (the engine may add more).
/// </summary>
internal static class ManifestParser
{
    public const int SupportedFormatVersion = 1;

    private const string VariantToken = "ASCII letters, digits, '-', '_' and '.' (e.g. int8-dot-product)";

    /// <param name="path">The manifest's path.</param>
    /// <param name="text">Its text, or null when it could not be read.</param>
    /// <param name="modelFile">The manifest item's <c>OptimizerModelFile</c> when the model is stored as files beside the app, else null.</param>
    public static ManifestFile Parse(string path, string? text, string? modelFile = null)
    {
        if (text is null)
        {
            return Failed(path, ManifestProblem.Malformed, "the file could not be read", null);
        }

        JsonObject root;
        try
        {
            root = JsonReader.Parse(text) as JsonObject ?? throw new JsonFormatException("the manifest must be a JSON object", 1, 1);
        }
        catch (JsonFormatException ex)
        {
            return Failed(path, ManifestProblem.Malformed, ex.Message, null);
        }

        // Identify the manifest first, so a later problem can still be reported against its class.
        string? className = OptionalString(root, "className");
        string? modelPath = OptionalString(root, "modelPath");
        try
        {
            int formatVersion = RequireInt(root, "formatVersion");
            if (formatVersion != SupportedFormatVersion)
            {
                return new ManifestFile(path, null, ManifestProblem.UnsupportedFormatVersion, null, formatVersion, className, modelPath);
            }

            var manifest = new ModelManifest(
                formatVersion,
                RequireString(root, "name"),
                RequireString(root, "className"),
                RequireString(root, "modelPath"),
                RequireResourceName(root, ".onnx"),
                ReadSignatures(root, "inputs"),
                ReadSignatures(root, "outputs"));
            manifest = ReadExecution(root, manifest);
            if (modelFile is not null)
            {
                manifest = ManifestTokens.IsModelFile(modelFile)
                    ? manifest with { ModelFile = modelFile }
                    : throw new JsonFormatException($"its item's {ModelFileMetadata.Name} metadata '{Emitter.SourceText.OneLine(modelFile)}' is not a relative path of file names ending in .onnx", 1, 1);
            }

            return new ManifestFile(path, manifest, ManifestProblem.None, null, formatVersion, className, modelPath);
        }
        catch (JsonFormatException ex)
        {
            return Failed(path, ManifestProblem.Malformed, ex.Message, className, modelPath);
        }
    }

    /// <summary>The optional <c>execution</c> object: the compiled program's resource and kernels when there is one.</summary>
    private static ModelManifest ReadExecution(JsonObject root, ModelManifest manifest)
    {
        if (!root.TryGet("execution", out JsonValue value) || value is JsonNull)
        {
            return manifest;
        }

        JsonObject execution = value as JsonObject ?? throw Mismatch("\"execution\"", "an object", value);
        if (!execution.TryGet("compiled", out JsonValue compiledValue) || compiledValue is JsonNull)
        {
            return manifest with { NotCompiledOperators = ReadNotCompiledOperators(execution) };
        }

        JsonObject compiled = compiledValue as JsonObject ?? throw Mismatch("\"compiled\"", "an object or null", compiledValue);
        var kernels = new List<string>();
        foreach (JsonValue kernel in Require<JsonArray>(compiled, "kernels").Items)
        {
            kernels.Add(kernel is JsonString text && ManifestTokens.IsKernelName(text.Value)
                ? text.Value
                : throw Invalid("each entry of \"kernels\"", "a kernel name (ASCII letters and digits)", kernel));
        }

        return manifest with
        {
            ProgramResourceName = RequireResourceName(compiled, OutputNames.KernelProgram.Suffix),
            Kernels = new EquatableArray<string>(kernels.ToArray()),
            Schedule = ReadSchedule(compiled),
            Variants = ReadVariants(execution),
            AutoPath = ReadAutoPath(execution),
            VariantChoice = ReadVariantChoice(execution),
        };
    }

    /// <summary>
    /// The optional <c>auto</c>: the build timed the compiled kernels faster on its machine. Every field
    /// is a token (<see cref="ManifestTokens"/>); anything else makes the manifest malformed.
    /// </summary>
    private static AutoPathInfo? ReadAutoPath(JsonObject execution)
    {
        if (!execution.TryGet("auto", out JsonValue value) || value is JsonNull)
        {
            return null;
        }

        JsonObject auto = value as JsonObject ?? throw Mismatch("\"auto\"", "an object or null", value);
        JsonString path = Require<JsonString>(auto, "path");
        if (path.Value != "Compiled")
        {
            throw Invalid("\"auto.path\"", "Compiled", path);
        }

        (string machine, string timedAt) = ReadTimedOn(auto, "auto");
        string? variant = auto.TryGet("variant", out JsonValue v) && v is not JsonNull
            ? (v is JsonString text && ManifestTokens.IsVariantToken(text.Value) ? text.Value : throw Invalid("\"auto.variant\"", VariantToken + " or null", v))
            : null;
        return new AutoPathInfo(machine, timedAt, variant);
    }

    /// <summary>
    /// The optional <c>variantChoice</c>: the variant the build timed faster on its machine. Every field
    /// is a token (<see cref="ManifestTokens"/>); anything else makes the manifest malformed.
    /// </summary>
    private static VariantChoiceInfo? ReadVariantChoice(JsonObject execution)
    {
        if (!execution.TryGet("variantChoice", out JsonValue value) || value is JsonNull)
        {
            return null;
        }

        JsonObject choice = value as JsonObject ?? throw Mismatch("\"variantChoice\"", "an object or null", value);
        JsonString variant = Require<JsonString>(choice, "variant");
        if (!ManifestTokens.IsVariantToken(variant.Value))
        {
            throw Invalid("\"variantChoice.variant\"", VariantToken, variant);
        }

        (string machine, string timedAt) = ReadTimedOn(choice, "variantChoice");
        return new VariantChoiceInfo(machine, timedAt, variant.Value);
    }

    /// <summary>
    /// Where and at what a build's timing was made: <paramref name="record"/>'s <c>machine</c> summary and
    /// <c>timedAt</c> shapes, both tokens (<see cref="ManifestTokens"/>); anything else makes the manifest malformed.
    /// </summary>
    private static (string Machine, string TimedAt) ReadTimedOn(JsonObject record, string field)
    {
        JsonString machine = Require<JsonString>(record, "machine");
        if (!ManifestTokens.IsMachineSummary(machine.Value))
        {
            throw Invalid($"\"{field}.machine\"", "ASCII letters, digits, spaces and + - : ; ,", machine);
        }

        JsonString timedAt = Require<JsonString>(record, "timedAt");
        if (!ManifestTokens.IsShapeList(timedAt.Value))
        {
            throw Invalid($"\"{field}.timedAt\"", "shapes such as [1,64] (ASCII digits, [ ] , ; and spaces)", timedAt);
        }

        return (machine.Value, timedAt.Value);
    }

    /// <summary>
    /// The optional <c>notCompiledOperators</c>: the operators that kept the build from compiling the model;
    /// only ASCII identifiers are kept (the runtime names them when the compiled path is asked for).
    /// </summary>
    private static EquatableArray<string> ReadNotCompiledOperators(JsonObject execution)
    {
        if (!execution.TryGet("notCompiledOperators", out JsonValue value) || value is not JsonArray entries)
        {
            return new EquatableArray<string>(System.Array.Empty<string>());
        }

        return new EquatableArray<string>(entries.Items.OfType<JsonString>().Select(e => e.Value).Where(ManifestTokens.IsKernelName)
            .Distinct(System.StringComparer.Ordinal).ToArray());
    }

    /// <summary>The optional <c>variants</c>: name, requires (string or null), and a program like <c>compiled</c>.</summary>
    private static EquatableArray<CompiledVariantInfo> ReadVariants(JsonObject execution)
    {
        if (!execution.TryGet("variants", out JsonValue value) || value is JsonNull)
        {
            return new EquatableArray<CompiledVariantInfo>(System.Array.Empty<CompiledVariantInfo>());
        }

        JsonArray array = value as JsonArray ?? throw Mismatch("\"variants\"", "an array", value);
        var variants = new List<CompiledVariantInfo>();
        foreach (JsonValue item in array.Items)
        {
            JsonObject variant = item as JsonObject ?? throw Mismatch("each entry of \"variants\"", "an object", item);
            string? requires = variant.TryGet("requires", out JsonValue r) && r is not JsonNull
                ? (r is JsonString text && ManifestTokens.IsVariantToken(text.Value) ? text.Value : throw Invalid("\"requires\"", VariantToken + " or null", r))
                : null;
            string name = RequireString(variant, "name");
            if (!ManifestTokens.IsVariantToken(name))
            {
                throw Invalid("a variant's \"name\"", VariantToken, Require<JsonString>(variant, "name"));
            }

            variants.Add(new CompiledVariantInfo(name, requires, RequireResourceName(variant, OutputNames.KernelProgram.Suffix), ReadSchedule(variant)));
        }

        return new EquatableArray<CompiledVariantInfo>(variants.ToArray());
    }

    /// <summary>The optional <c>schedule</c>: one line per step (see <see cref="ScheduleParser"/>); a line it cannot read makes the manifest malformed.</summary>
    private static KernelSchedule? ReadSchedule(JsonObject compiled)
    {
        if (!compiled.TryGet("schedule", out JsonValue value) || value is JsonNull)
        {
            return null;
        }

        JsonArray lines = value as JsonArray ?? throw Mismatch("\"schedule\"", "an array of strings", value);
        JsonNumber size = Require<JsonNumber>(compiled, "size");
        if (!long.TryParse(size.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long programSize))
        {
            throw Mismatch("\"size\"", "a non-negative integer", size);
        }

        var steps = new ScheduleStep[lines.Items.Count];
        for (int i = 0; i < steps.Length; i++)
        {
            JsonValue line = lines.Items[i];
            string text = line is JsonString s ? s.Value : throw Mismatch("each entry of \"schedule\"", "a string", line);
            steps[i] = ScheduleParser.TryParse(text, out string problem)
                ?? throw new JsonFormatException($"schedule step {i} is not readable: {problem}", line.Line, line.Column);
        }

        return new KernelSchedule(programSize, new EquatableArray<ScheduleStep>(steps));
    }

    private static ManifestFile Failed(string path, ManifestProblem problem, string detail, string? className, string? modelPath = null) =>
        new(path, null, problem, detail, null, className, modelPath);

    private static EquatableArray<TensorSignature> ReadSignatures(JsonObject root, string property)
    {
        JsonArray array = Require<JsonArray>(root, property);
        var signatures = new List<TensorSignature>(array.Items.Count);
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (JsonValue item in array.Items)
        {
            JsonObject entry = item as JsonObject ?? throw Mismatch($"each entry of \"{property}\"", "an object", item);
            string name = RequireString(entry, "name");
            if (!names.Add(name))
            {
                throw new JsonFormatException($"\"{property}\" lists \"{name}\" twice", entry.Line, entry.Column);
            }

            string elementType = RequireString(entry, "elementType");
            if (!ManifestTokens.IsElementType(elementType))
            {
                throw Invalid($"\"elementType\" of \"{property}\" entry \"{name}\"", "an element type name such as float32 (lower-case ASCII letters and digits)", Require<JsonString>(entry, "elementType"));
            }

            string? kind = OptionalString(entry, "kind");
            signatures.Add(new TensorSignature(name, elementType, kind, ReadShape(entry)) { Range = ReadRange(entry) });
        }

        return new EquatableArray<TensorSignature>(signatures.ToArray());
    }

    /// <summary>The optional <c>range</c> {min, max}: two finite numbers, min ≤ max (only numbers reach generated code).</summary>
    private static InputRange? ReadRange(JsonObject entry)
    {
        if (!entry.TryGet("range", out JsonValue value) || value is JsonNull)
        {
            return null;
        }

        JsonObject range = value as JsonObject ?? throw Mismatch("\"range\"", "an object or null", value);
        double min = RequireFinite(range, "min");
        double max = RequireFinite(range, "max");
        return min <= max ? new InputRange(min, max) : throw new JsonFormatException("\"range\" has \"min\" greater than \"max\"", range.Line, range.Column);
    }

    private static double RequireFinite(JsonObject obj, string property)
    {
        JsonNumber number = Require<JsonNumber>(obj, property);
        return double.TryParse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && !double.IsNaN(value) && !double.IsInfinity(value)
            ? value
            : throw Mismatch($"\"{property}\"", "a finite number", number);
    }

    private static EquatableArray<ShapeDimension>? ReadShape(JsonObject entry)
    {
        if (!entry.TryGet("shape", out JsonValue value))
        {
            throw new JsonFormatException("missing required property \"shape\" (use null for an unknown rank)", entry.Line, entry.Column);
        }

        if (value is JsonNull)
        {
            return null;
        }

        JsonArray array = value as JsonArray ?? throw Mismatch("\"shape\"", "an array or null", value);
        var dimensions = new ShapeDimension[array.Items.Count];
        for (int i = 0; i < dimensions.Length; i++)
        {
            JsonValue dimension = array.Items[i];
            dimensions[i] = dimension switch
            {
                JsonNumber number when number.TryGetInt32(out int size) && size >= 0 => new ShapeDimension(size, null),
                JsonString symbol when symbol.Value.Length > 0 => new ShapeDimension(null, symbol.Value),
                JsonNull => new ShapeDimension(null, null),
                _ => throw Mismatch("a shape dimension", "a non-negative integer, a non-empty string or null", dimension),
            };
        }

        return new EquatableArray<ShapeDimension>(dimensions);
    }

    private static T Require<T>(JsonObject obj, string property)
        where T : JsonValue
    {
        if (!obj.TryGet(property, out JsonValue value))
        {
            throw new JsonFormatException($"missing required property \"{property}\"", obj.Line, obj.Column);
        }

        return value as T ?? throw Mismatch($"\"{property}\"", KindOf<T>(), value);
    }

    private static string RequireString(JsonObject obj, string property) => Require<JsonString>(obj, property).Value;

    /// <summary>A <c>resourceName</c> as the build writes it (<see cref="ManifestTokens.IsResourceName"/>) ending in <paramref name="extension"/>.</summary>
    private static string RequireResourceName(JsonObject obj, string extension)
    {
        JsonString name = Require<JsonString>(obj, "resourceName");
        return ManifestTokens.IsResourceName(name.Value, extension)
            ? name.Value
            : throw Invalid("\"resourceName\"", $"a name ending in {extension} without control characters, quotes, slashes or backslashes", name);
    }

    private static int RequireInt(JsonObject obj, string property)
    {
        JsonNumber number = Require<JsonNumber>(obj, property);
        return number.TryGetInt32(out int value) ? value : throw Mismatch($"\"{property}\"", "an integer", number);
    }

    private static string? OptionalString(JsonObject obj, string property) =>
        obj.TryGet(property, out JsonValue value) && value is JsonString text ? text.Value : null;

    private static string KindOf<T>() =>
        typeof(T) == typeof(JsonArray) ? "an array" : typeof(T) == typeof(JsonNumber) ? "a number" : typeof(T) == typeof(JsonString) ? "a string" : "an object";

    private static JsonFormatException Mismatch(string what, string expected, JsonValue actual) =>
        new($"{what} must be {expected}, not {(actual is JsonNumber n ? n.Text : actual.Kind)}", actual.Line, actual.Column);

    /// <summary>A string of the right JSON type whose text is not a token the engine writes.</summary>
    private static JsonFormatException Invalid(string what, string expected, JsonValue actual) =>
        actual is JsonString text ? new($"{what} must be {expected}, not \"{text.Value}\"", actual.Line, actual.Column) : Mismatch(what, expected, actual);
}
