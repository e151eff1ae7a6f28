using System.Text.Json;
using Optimizer.Engine.Diagnostics;

namespace Optimizer.Engine.Plans;

/// <summary>Reads and validates a plan file; every problem is an <see cref="EngineException"/> with a code.</summary>
public static class PlanReader
{
    public static OptimizationPlan Read(string planPath)
    {
        var location = new DiagnosticLocation(Path.GetFullPath(planPath));
        string text;
        try
        {
            text = File.ReadAllText(planPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException(EngineErrorCodes.PlanNotReadable,
                $"Cannot read the plan '{planPath}': {e.Message} Rebuild the project so the build task writes it again.", location, e);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return Parse(document.RootElement, location);
        }
        catch (JsonException e)
        {
            throw new EngineException(EngineErrorCodes.PlanInvalid,
                $"The plan '{planPath}' is not valid JSON ({e.Message}). Rebuild the project so the build task writes it again.", location, e);
        }
    }

    private static OptimizationPlan Parse(JsonElement root, DiagnosticLocation location)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Invalid(location, "the top level is not an object");

        var version = root.TryGetProperty("formatVersion", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
        if (version != OptimizationPlan.CurrentFormatVersion)
        {
            throw new EngineException(EngineErrorCodes.PlanVersionUnsupported,
                $"The plan has formatVersion {version} but this engine reads {OptimizationPlan.CurrentFormatVersion}. The build task and engine come from different Optimizer.Build versions; restore the package again.",
                location);
        }

        var passes = new List<PlannedPass>();
        if (root.TryGetProperty("passes", out var passArray))
        {
            if (passArray.ValueKind != JsonValueKind.Array)
                throw Invalid(location, "'passes' is not an array");
            foreach (var pass in passArray.EnumerateArray())
                passes.Add(ParsePass(pass, location));
        }

        return new OptimizationPlan(
            version,
            RequiredString(root, "name", location),
            OptionalString(root, "className") ?? "",
            RequiredString(root, "model", location),
            RequiredString(root, "modelPath", location),
            ParseLocation(root),
            RequiredString(root, "outputDirectory", location),
            OptionalString(root, "projectDirectory"),
            RequiredString(root, "resourceName", location),
            passes) { LoadLimits = PlanLoadLimits.FromJson(root, location) };
    }

    private static PlannedPass ParsePass(JsonElement pass, DiagnosticLocation location)
    {
        if (pass.ValueKind != JsonValueKind.Object)
            throw Invalid(location, "a pass is not an object");
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (pass.TryGetProperty("options", out var optionObject))
        {
            if (optionObject.ValueKind != JsonValueKind.Object)
                throw Invalid(location, "a pass's 'options' is not an object");
            foreach (var option in optionObject.EnumerateObject())
            {
                options[option.Name] = option.Value.ValueKind == JsonValueKind.String
                    ? option.Value.GetString()!
                    : option.Value.GetRawText();
            }
        }

        return new PlannedPass(RequiredString(pass, "pass", location), options, ParseLocation(pass));
    }

    private static DiagnosticLocation? ParseLocation(JsonElement owner)
    {
        if (!owner.TryGetProperty("declaredAt", out var at) || at.ValueKind != JsonValueKind.Object)
            return null;
        var file = OptionalString(at, "file");
        if (string.IsNullOrEmpty(file))
            return null;
        return new DiagnosticLocation(file, Int(at, "line"), Int(at, "column"));
    }

    private static int Int(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : 0;

    private static string? OptionalString(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string RequiredString(JsonElement owner, string name, DiagnosticLocation location)
    {
        var value = OptionalString(owner, name);
        if (string.IsNullOrEmpty(value))
            throw Invalid(location, $"'{name}' is missing or not a string");
        return value;
    }

    private static EngineException Invalid(DiagnosticLocation location, string problem) =>
        new(EngineErrorCodes.PlanInvalid,
            $"The plan '{location.File}' is invalid: {problem}. Rebuild the project so the build task writes it again.", location);
}
