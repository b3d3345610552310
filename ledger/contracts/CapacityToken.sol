// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {CollateralVault} from "./CollateralVault.sol";

/// @title CapacityToken
/// @notice Capacity held as a token: one id per capacity class and delivery window, in the
/// class's unit (GPU-seconds, core-seconds, shots). A registered provider mints against
/// collateral locked in the vault; the holder burns tokens to redeem them for a job, which
/// releases the provider's collateral behind them.
contract CapacityToken is ERC1155, AccessControl {
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 public constant PROVIDER_ROLE = keccak256("PROVIDER_ROLE");

    CollateralVault public immutable vault;
    /// @notice Settlement-token base units locked per unit minted.
    uint256 public immutable collateralPerUnit;
    /// @notice Units a provider has minted and not yet seen redeemed, per token id.
    mapping(address provider => mapping(uint256 id => uint256)) public outstanding;

    event Redeemed(address indexed holder, address indexed provider, uint256 indexed id, uint256 amount, bytes32 jobId);

    error ZeroAmount();
    error ExceedsOutstanding(address provider, uint256 id, uint256 outstanding, uint256 requested);

    constructor(CollateralVault collateralVault, uint256 unitCollateral, address admin) ERC1155("") {
        vault = collateralVault;
        collateralPerUnit = unitCollateral;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
        _setRoleAdmin(PROVIDER_ROLE, REGISTRAR_ROLE);
    }

    /// @notice The token id of a capacity class's delivery window.
    function tokenId(string calldata capacityClass, uint64 windowStart, uint64 windowSeconds)
        external
        pure
        returns (uint256)
    {
        return uint256(keccak256(abi.encode(capacityClass, windowStart, windowSeconds)));
    }

    /// @notice Mints `amount` units of `id` to `to`, locking the caller's collateral behind them.
    function mint(address to, uint256 id, uint256 amount) external onlyRole(PROVIDER_ROLE) {
        if (amount == 0) revert ZeroAmount();
        vault.lock(msg.sender, amount * collateralPerUnit);
        outstanding[msg.sender][id] += amount;
        _mint(to, id, amount, "");
    }

    /// @notice Burns the caller's `amount` units of `id` for job `jobId` run by `provider`.
    function redeem(uint256 id, uint256 amount, address provider, bytes32 jobId) external {
        if (amount == 0) revert ZeroAmount();
        uint256 open = outstanding[provider][id];
        if (amount > open) revert ExceedsOutstanding(provider, id, open, amount);
        outstanding[provider][id] = open - amount;
        _burn(msg.sender, id, amount);
        vault.unlock(provider, amount * collateralPerUnit);
        emit Redeemed(msg.sender, provider, id, amount, jobId);
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }
}
