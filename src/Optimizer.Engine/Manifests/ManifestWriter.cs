using System.Text.Encodings.Web;
using System.Text.Json;

namespace Optimizer.Engine.Manifests;

/// <summary>
/// Serializes a manifest deterministically: fixed property order, two-space indent, '\n' line
/// ends, invariant numbers, a final newline. Same model and plan → same bytes on every OS.
/// </summary>
public static class ManifestWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Keep names like "onnx::Flatten_0" and summaries with "→" readable; still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] ToBytes(ModelManifest manifest)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", ModelManifest.FormatVersion);
            json.WriteString("engineVersion", manifest.EngineVersion);
            json.WriteString("name", manifest.Name);
            json.WriteString("className", manifest.ClassName);
            json.WriteString("modelPath", manifest.ModelPath);
            json.WriteString("resourceName", manifest.ResourceName);
            json.WriteString("sourceSha256", manifest.SourceSha256);
            json.WriteString("optimizedSha256", manifest.OptimizedSha256);
            json.WriteNumber("sizeBefore", manifest.SizeBefore);
            json.WriteNumber("sizeAfter", manifest.SizeAfter);
            json.WriteStartArray("passes");
            foreach (var pass in manifest.Passes)
            {
                json.WriteStartObject();
                json.WriteString("pass", pass.Pass);
                json.WriteString("summary", pass.Summary);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteValues(json, "inputs", manifest.Inputs);
            WriteValues(json, "outputs", manifest.Outputs);
            if (manifest.Execution is { } execution)
                WriteExecution(json, execution);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteExecution(Utf8JsonWriter json, ManifestExecution execution)
    {
        json.WriteStartObject("execution");
        WriteStrings(json, "paths", execution.Paths);
        if (execution.Compiled is { } compiled)
        {
            json.WriteStartObject("compiled");
            WriteProgram(json, compiled);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("compiled");
        }

        WriteStrings(json, "notCompiled", execution.NotCompiled);
        if (execution.NotCompiledOperators.Count > 0)
        {
            WriteStrings(json, "notCompiledOperators", execution.NotCompiledOperators);
        }
        if (execution.Variants.Count > 0)
        {
            json.WriteStartArray("variants");
            foreach (var variant in execution.Variants)
            {
                json.WriteStartObject();
                json.WriteString("name", variant.Name);
                if (variant.Requires is null)
                    json.WriteNull("requires");
                else
                    json.WriteString("requires", variant.Requires);
                WriteProgram(json, variant.Program);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (execution.Auto is { } auto)
        {
            json.WriteStartObject("auto");
            json.WriteString("path", auto.Path);
            json.WriteString("machine", auto.Machine);
            json.WriteString("timedAt", auto.TimedAt);
            if (auto.Variant is null)
                json.WriteNull("variant");
            else
                json.WriteString("variant", auto.Variant);
            json.WriteEndObject();
        }

        if (execution.VariantChoice is { } choice)
        {
            json.WriteStartObject("variantChoice");
            json.WriteString("variant", choice.Variant);
            json.WriteString("machine", choice.Machine);
            json.WriteString("timedAt", choice.TimedAt);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteProgram(Utf8JsonWriter json, ManifestCompiledProgram compiled)
    {
        json.WriteString("resourceName", compiled.ResourceName);
        json.WriteNumber("size", compiled.Size);
        json.WriteNumber("steps", compiled.Steps);
        WriteStrings(json, "kernels", compiled.Kernels);
        if (compiled.Schedule.Count > 0)
            WriteStrings(json, "schedule", compiled.Schedule);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static void WriteValues(Utf8JsonWriter json, string name, IReadOnlyList<ManifestValue> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStartObject();
            json.WriteString("name", value.Name);
            json.WriteString("elementType", value.ElementType);
            if (value.Kind is not null)
                json.WriteString("kind", value.Kind);
            if (value.Shape is null)
            {
                json.WriteNull("shape");
            }
            else
            {
                json.WriteStartArray("shape");
                foreach (var dim in value.Shape)
                {
                    switch (dim)
                    {
                        case long size: json.WriteNumberValue(size); break;
                        case string symbol: json.WriteStringValue(symbol); break;
                        default: json.WriteNullValue(); break;
                    }
                }

                json.WriteEndArray();
            }

            if (value.Range is { } range)
            {
                json.WriteStartObject("range");
                json.WriteNumber("min", range.Min);
                json.WriteNumber("max", range.Max);
                json.WriteString("source", range.Source);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
