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
            "compiled": { "resourceName": "Optimizer.Build.Sample.DigitClassifier.kernels", "size": 29376, "steps": 7, "kernels": ["Gemm", "PackB", "Unary"] },
            "notCompiled": []
          }
        }
        """;

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
