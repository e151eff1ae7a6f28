using System.Text;

namespace Optimizer.Build.Generator.Tests.Harness;

/// <summary>
/// Text a model file can put into a manifest to break out of where the generator writes it, and
/// manifests (as the engine would write them) that carry it in a chosen field.
/// </summary>
internal static class HostileManifests
{
    /// <summary>The issue's attack: a line break, then a module initializer that runs before Main.</summary>
    public const string ModuleInitializerAttack =
        "out\n[global::System.Runtime.CompilerServices.ModuleInitializer] internal static void Pwn() => System.IO.File.WriteAllText(\"/tmp/pwned\", \"x\");";

    /// <summary>Words of the attack that must never be tokens of the generated source (only inside comments, literals or joined into an identifier).</summary>
    public static readonly string[] AttackWords = ["Pwn", "ModuleInitializer", "WriteAllText", "CompilerServices", "IO", "File"];

    /// <summary>Every way text can end a comment, a literal or an XML element, or hide or disable code.</summary>
    public static readonly string[] Breakers =
    [
        "\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "*/", "/*", "#if", "#if false", "\"", "\\", "{", "}",
        "<see cref=\"System.IO.File\"/>", "]]>", "\0", "\u0001", "\u001b", "\u007f", "\u202e", "\ufeff", "\ud800", "'", "&amp;", "@", "$\"{x}\"",
    ];

    /// <summary>Each breaker followed by the attack's code, as a name would carry it (the code on the line the breaker opens).</summary>
    public static IEnumerable<string> Payloads() =>
        Breakers.Select(b => "x" + b + "[global::System.Runtime.CompilerServices.ModuleInitializer] internal static void Pwn() => System.IO.File.WriteAllText(\"/tmp/pwned\", \"x\"); //")
            .Append(ModuleInitializerAttack);

    /// <summary>Fields whose value is a token the engine writes (not free text): any breaker in them makes the manifest malformed.</summary>
    public static bool IsToken(ManifestField field) => field is ManifestField.KernelName or ManifestField.KernelsEntry or ManifestField.VariantName or ManifestField.VariantRequires or ManifestField.ElementType
        or ManifestField.AutoMachine or ManifestField.AutoTimedAt or ManifestField.AutoVariant;

    /// <summary>A compiled, two-variant digits manifest (as <see cref="Manifests.DigitsWithVariants"/>) with <paramref name="text"/> in <paramref name="field"/>.</summary>
    public static string With(ManifestField field, string text)
    {
        string V(ManifestField f, string plain) => Json(f == field ? text : plain);
        string inputName = field == ManifestField.InputName ? text : "input";
        string outputName = field == ManifestField.OutputName ? text : "logits";
        string node = field == ManifestField.NodeName ? text : "/fc1/Gemm";
        string kernel = field == ManifestField.KernelName ? text : "Gemm";
        string schedule(string n) => Json($"{kernel}:ffff I0[0,d0*64] W[512,640] W[0,10] O0[0,d0*10] | 1 d0 10 64 0 0 0 0 | 3F800000 00000000 00000000 # {n}");
        return $$"""
            {
              "formatVersion": 1,
              "engineVersion": "0.1.0",
              "name": "Sample.Hostile",
              "className": "Sample.Hostile",
              "modelPath": {{V(ManifestField.ModelPath, "Models/hostile.onnx")}},
              "resourceName": {{V(ManifestField.ResourceName, "Optimizer.Build.Sample.Hostile.onnx")}},
              "inputs": [
                { "name": {{Json(inputName)}}, "elementType": {{V(ManifestField.ElementType, "float32")}}, "shape": [{{V(ManifestField.DimName, "batch")}}, 1, 8, 8] },
                { "name": "input_2", "elementType": "float32", "shape": ["batch", 64] }
              ],
              "outputs": [
                { "name": {{Json(outputName)}}, "elementType": "float32", "shape": ["batch", 10] },
                { "name": "x", "elementType": "int64", "shape": ["batch"] }
              ],
              "execution": {
                "paths": ["OnnxRuntime", "Compiled"],
                "compiled": {
                  "resourceName": {{V(ManifestField.ProgramResourceName, "Optimizer.Build.Sample.Hostile.kernels")}}, "size": 2816, "steps": 1, "kernels": [{{V(ManifestField.KernelsEntry, "Gemm")}}],
                  "schedule": [ {{schedule(node)}} ]
                },
                "notCompiled": [],
                "variants": [
                  { "name": {{V(ManifestField.VariantName, "int8")}}, "requires": {{V(ManifestField.VariantRequires, "int8-dot-product")}}, "resourceName": "Optimizer.Build.Sample.Hostile.kernels", "size": 2816, "steps": 1, "kernels": ["Gemm"] },
                  {
                    "name": "fp32", "requires": null, "resourceName": {{V(ManifestField.VariantResourceName, "Optimizer.Build.Sample.Hostile.fp32.kernels")}}, "size": 2816, "steps": 1, "kernels": ["Gemm"],
                    "schedule": [ {{schedule(node)}} ]
                  }
                ],
                "auto": { "path": "Compiled", "machine": {{V(ManifestField.AutoMachine, "AVX2+FMA; fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256")}}, "timedAt": {{V(ManifestField.AutoTimedAt, "[1,1,8,8]")}}, "variant": {{V(ManifestField.AutoVariant, "fp32")}} }
              }
            }
            """;
    }

    /// <summary>A JSON string for any text, lone surrogates included: printable ASCII as is, everything else as <c>\uXXXX</c>.</summary>
    public static string Json(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (char c in text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                >= ' ' and <= '~' => c.ToString(),
                _ => $"\\u{(int)c:X4}",
            });
        }

        return builder.Append('"').ToString();
    }
}

/// <summary>The fields of a manifest a model file (or whoever writes the manifest) controls.</summary>
public enum ManifestField
{
    InputName,
    OutputName,
    DimName,
    ModelPath,
    NodeName,
    KernelName,
    KernelsEntry,
    VariantName,
    VariantRequires,
    ResourceName,
    ProgramResourceName,
    VariantResourceName,
    ElementType,
    AutoMachine,
    AutoTimedAt,
    AutoVariant,
}
