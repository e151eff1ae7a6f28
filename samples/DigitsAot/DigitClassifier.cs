using Optimizer.Runtime;

namespace DigitsAot;

/// <summary>The Digits sample's MLP: the build optimizes it and, since every op is covered, compiles it into C# kernels too.</summary>
[OnnxModel("../Digits/Models/digits_mlp.onnx")]
public partial class DigitClassifier;
