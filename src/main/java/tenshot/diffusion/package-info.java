/**
 * The Stable Diffusion engine on DJL: weights, tokenizer, text encoder, UNet, VAE, schedulers, LoRA,
 * pipelines and training. Plain DJL only; no service framework (enforced by PackageBoundaryTest).
 */
package tenshot.diffusion;
