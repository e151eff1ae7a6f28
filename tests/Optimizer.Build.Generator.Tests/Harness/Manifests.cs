namespace Optimizer.Build.Generator.Tests.Harness;

/// <summary>Manifests as the engine writes them (src/README.md), and builders for variations.</summary>
internal static class Manifests
{
    public const string DigitsPath = "obj/Debug/net10.0/optimizer/Sample.DigitClassifier.model.json";

    public static string Digits(string className = "Sample.DigitClassifier", string modelPath = "Models/digits.onnx") => $$"""
        {
          "formatVersion": 1,
          "engineVersion": "0.1.0",
          "name": "{{className}}",
          "className": "{{className}}",
          "modelPath": "{{modelPath}}",
          "resourceName": "Optimizer.Build.Sample.DigitClassifier.onnx",
          "sourceSha256": "ab12", "optimizedSha256": "cd34",
          "sizeBefore": 105123, "sizeAfter": 27001,
          "passes": [ { "pass": "Quantize", "summary": "DynamicInt8: 3 of 3 MatMul/Gemm quantized" } ],
          "inputs":  [ { "name": "input",  "elementType": "float32", "shape": ["batch", 1, 8, 8] } ],
          "outputs": [ { "name": "logits", "elementType": "float32", "shape": ["batch", 10] } ]
        }
        """;

    /// <summary>The digits manifest of a build that also compiled the model into kernels (the <c>execution</c> object).</summary>
    public static string DigitsCompiled() => Digits().TrimEnd().TrimEnd('}').TrimEnd() + """
        ,
          "execution": {
            "paths": ["OnnxRuntime", "Compiled"],
            "compiled": {
              "resourceName": "Optimizer.Build.Sample.DigitClassifier.kernels", "size": 108864, "steps": 3, "kernels": ["Gemm"],
              "schedule": [
                "Gemm:ffff I0[0,d0*64] W[512,8192] W[0,128] A0[0,d0*128] | 1 d0 128 64 0 0 0 1 | 3F800000 00000000 00000000 # /fc1/Gemm",
                "Gemm:ffff A0[0,d0*128] W[33792,16384] W[33280,128] A1[0,d0*128] | 1 d0 128 128 0 0 0 1 | 3F800000 00000000 00000000 # /fc2/Gemm",
                "Gemm:ffff A1[0,d0*128] W[99392,2048] W[99328,10] O0[0,d0*10] | 1 d0 10 128 0 0 0 0 | 3F800000 00000000 00000000 # /fc3/Gemm"
              ]
            },
            "notCompiled": []
          }
        }
        """;

    /// <summary>The digits manifest of a quantized build with two compiled variants: int8 (CPUs with INT8 dot products) and the fp32 fallback.</summary>
    public static string DigitsWithVariants() => DigitsCompiled().TrimEnd().TrimEnd('}').TrimEnd().TrimEnd('}').TrimEnd() + """
        ,
            "variants": [
              { "name": "int8", "requires": "int8-dot-product", "resourceName": "Optimizer.Build.Sample.DigitClassifier.kernels", "size": 108864, "steps": 3, "kernels": ["Gemm"] },
              {
                "name": "fp32", "requires": null, "resourceName": "Optimizer.Build.Sample.DigitClassifier.fp32.kernels", "size": 99840, "steps": 1, "kernels": ["Gemm"],
                "schedule": [ "Gemm:ffff I0[0,d0*64] W[512,640] W[0,10] O0[0,d0*10] | 1 d0 10 64 0 0 0 0 | 3F800000 00000000 00000000" ]
              }
            ]
          }
        }
        """;

    /// <summary>The compiled digits manifest of a build that timed the compiled kernels faster (<c>execution.auto</c>), with <paramref name="auto"/> as that object's JSON.</summary>
    public static string DigitsAutoCompiled(string auto = """{ "path": "Compiled", "machine": "AVX2+FMA; fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256", "timedAt": "[1,64]", "variant": null }""") =>
        DigitsCompiled().Replace("\"notCompiled\": []", "\"notCompiled\": [],\n    \"auto\": " + auto);

    /// <summary>The variants' digits manifest of a build that timed them against each other (<c>execution.variantChoice</c>), with <paramref name="choice"/> as that object's JSON.</summary>
    public static string DigitsVariantChoice(string choice = """{ "variant": "int8", "machine": "AVX512F+AVX-VNNI; fp32 gemm: Avx512F, int8 gemm: AvxVnni, elementwise: Vector512", "timedAt": "[1,1,8,8]" }""") =>
        DigitsWithVariants().Replace("\"notCompiled\": []", "\"notCompiled\": [],\n    \"variantChoice\": " + choice);

    public static string With(string className, string modelPath, string inputs, string outputs, int formatVersion = 1) => $$"""
        {
          "formatVersion": {{formatVersion}},
          "engineVersion": "0.1.0",
          "name": "{{(className.Length > 0 ? className : "model")}}",
          "className": "{{className}}",
          "modelPath": "{{modelPath}}",
          "resourceName": "Optimizer.Build.model.onnx",
          "inputs": [ {{inputs}} ],
          "outputs": [ {{outputs}} ]
        }
        """;

    public static string Tensor(string name, string elementType, string shape) =>
        $$"""{ "name": "{{name}}", "elementType": "{{elementType}}", "shape": {{shape}} }""";
}
