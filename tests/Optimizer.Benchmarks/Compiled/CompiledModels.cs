using Optimizer.Compiler;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>The models the compiled-kernel benchmarks run, as ONNX bytes and as kernel programs.</summary>
public static class CompiledModels
{
    /// <summary>The benchmark cases: model and batch size (hello_deepa's batch is fixed at 1).</summary>
    public static readonly string[] Cases =
        ["digits_mlp/1", "digits_mlp/64", "digits_cnn/1", "digits_cnn/64", "hello_deepa/1", "mlp_784_1024_1024_10/1", "mlp_784_1024_1024_10/64",
         "digits_mlp#StaticInt8/1", "digits_mlp#StaticInt8/64", "digits_cnn#StaticInt8/1", "digits_cnn#StaticInt8/64"];

    /// <summary>A model by name; "digits_mlp#StaticInt8" is that digits model as our static INT8 pass builds it (QDQ).</summary>
    public static OnnxModel Load(string name) => name switch
    {
        "mlp_784_1024_1024_10" => ModelBuilders.Mlp(),
        "digits_mlp#StaticInt8" => OnnxModelLoader.Load(DigitsVariants.Get(DigitsModel.Mlp, DigitsVariant.StaticInt8), null),
        "digits_cnn#StaticInt8" => OnnxModelLoader.Load(DigitsVariants.Get(DigitsModel.Cnn, DigitsVariant.StaticInt8), null),
        _ => OnnxModelLoader.Load(Path.Combine(DigitsVariants.DataFolder ?? throw new InvalidOperationException("../shared/data is absent"), "models", name + ".onnx")),
    };

    public static KernelProgram Compile(OnnxModel model)
    {
        var result = KernelCompiler.Compile(model);
        return result.Program ?? throw new InvalidOperationException($"{model.Graph.Name} does not compile: {string.Join("; ", result.Unsupported)}");
    }

    /// <summary>The input's shape at <paramref name="batch"/> (the symbolic dimension set to it).</summary>
    public static long[] InputShape(OnnxModel model, int batch) => model.Graph.Inputs[0].Type!.Shape!.Select(d => d.Size ?? batch).ToArray();
}
