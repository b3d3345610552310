// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title CollateralVault
/// @notice Holds every account's settlement tokens. Settlement moves balances between
/// accounts without moving tokens, so the tokens the vault holds always equal the sum of
/// all balances. Part of a balance can be locked (collateral behind minted capacity).
contract CollateralVault is AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Held by the clearing house: may apply netted cash changes.
    bytes32 public constant CLEARING_ROLE = keccak256("CLEARING_ROLE");
    /// @notice Held by the capacity token: may lock and unlock collateral.
    bytes32 public constant LOCKER_ROLE = keccak256("LOCKER_ROLE");

    IERC20 public immutable token;
    mapping(address account => uint256) public balanceOf;
    mapping(address account => uint256) public lockedOf;
    /// @notice The sum of all balances; equals `token.balanceOf(address(this))`.
    uint256 public totalBalances;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event Locked(address indexed account, uint256 amount);
    event Unlocked(address indexed account, uint256 amount);

    error ZeroAmount();
    error InsufficientFreeBalance(address account, uint256 free, uint256 requested);
    error Undercollateralised(address account, int256 balanceAfter, uint256 locked);
    error LengthMismatch(uint256 accounts, uint256 deltas);
    error CashNotZeroSum(int256 sum);
    error UnlockExceedsLocked(address account, uint256 locked, uint256 requested);

    constructor(IERC20 settlementToken, address admin) {
        token = settlementToken;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function freeBalanceOf(address account) public view returns (uint256) {
        return balanceOf[account] - lockedOf[account];
    }

    /// @notice Moves `amount` tokens from the caller (after `approve`) into its balance.
    function deposit(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        balanceOf[msg.sender] += amount;
        totalBalances += amount;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, amount);
    }

    /// @notice Pays `amount` of the caller's free balance back to it.
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 free = freeBalanceOf(msg.sender);
        if (amount > free) revert InsufficientFreeBalance(msg.sender, free, amount);
        balanceOf[msg.sender] -= amount;
        totalBalances -= amount;
        token.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @notice Applies cash changes, which must sum to zero so that no tokens appear or
    /// vanish. Every account must keep at least its locked collateral.
    function applyCash(address[] calldata accounts, int256[] calldata deltas) external onlyRole(CLEARING_ROLE) {
        if (accounts.length != deltas.length) revert LengthMismatch(accounts.length, deltas.length);
        int256 sum = 0;
        for (uint256 i = 0; i < accounts.length; ++i) {
            sum += deltas[i];
        }
        if (sum != 0) revert CashNotZeroSum(sum);
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            int256 balanceAfter = int256(balanceOf[account]) + deltas[i];
            uint256 locked = lockedOf[account];
            if (balanceAfter < int256(locked)) revert Undercollateralised(account, balanceAfter, locked);
            balanceOf[account] = uint256(balanceAfter);
        }
    }

    function lock(address account, uint256 amount) external onlyRole(LOCKER_ROLE) {
        uint256 free = freeBalanceOf(account);
        if (amount > free) revert InsufficientFreeBalance(account, free, amount);
        lockedOf[account] += amount;
        emit Locked(account, amount);
    }

    function unlock(address account, uint256 amount) external onlyRole(LOCKER_ROLE) {
        uint256 locked = lockedOf[account];
        if (amount > locked) revert UnlockExceedsLocked(account, locked, amount);
        lockedOf[account] = locked - amount;
        emit Unlocked(account, amount);
    }
}
