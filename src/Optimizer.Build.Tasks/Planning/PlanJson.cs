using Optimizer.Build.Tasks.Diagnostics;
using Optimizer.Build.Tasks.Json;

namespace Optimizer.Build.Tasks.Planning;

/// <summary>Serializes a plan in the format of src/README.md (plus projectDirectory).</summary>
internal static class PlanJson
{
    public static string Serialize(OptimizationPlan plan)
    {
        var json = new JsonTextWriter()
            .StartObject()
            .Number("formatVersion", OptimizationPlan.FormatVersion)
            .String("name", plan.Name)
            .String("className", plan.ClassName)
            .String("model", plan.ModelFullPath)
            .String("modelPath", plan.ModelPath);
        WriteLocation(json, plan.DeclaredAt);
        json.String("outputDirectory", plan.OutputDirectory)
            .String("projectDirectory", plan.ProjectDirectory)
            .String("resourceName", plan.ResourceName)
            .StartArray("passes");
        foreach (var pass in plan.Passes)
        {
            json.StartObject().String("pass", pass.Pass).StartObject("options");
            foreach (var option in pass.Options)
                json.String(option.Key, option.Value);
            json.EndObject();
            WriteLocation(json, pass.Location);
            json.EndObject();
        }

        json.EndArray();
        if (plan.LoadLimits is { } limits)
        {
            json.StartObject("loadLimits").Boolean("trustModel", limits.Trust);
            if (limits.MaxModelBytes is { } model)
                json.Number("maxModelBytes", model);
            if (limits.MaxExternalDataBytes is { } external)
                json.Number("maxExternalDataBytes", external);
            json.EndObject();
        }

        return json.EndObject().ToString();
    }

    private static void WriteLocation(JsonTextWriter json, SourceLocation location) =>
        json.StartObject("declaredAt")
            .String("file", location.File)
            .Number("line", location.Line)
            .Number("column", location.Column)
            .EndObject();
}
